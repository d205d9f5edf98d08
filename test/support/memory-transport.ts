/**
 * Two in-process transports wired to each other, for tests of what runs above
 * the transport (links, rooms) where WebRTC itself is not the subject. An
 * optional `tamper` hook sees every frame A→B and may change or drop it, so
 * tests can play a network attacker.
 */
import { Emitter } from '../../web/core/emitter.ts';
import type {
  Fingerprint,
  PathKind,
  Transport,
  TransportCloseReason,
  TransportEvents,
} from '../../web/core/transport/transport.ts';

export class MemoryTransport implements Transport {
  readonly events = new Emitter<TransportEvents>();
  peer: MemoryTransport | null = null;
  isOpen = false;
  tamper: ((frame: Uint8Array) => Uint8Array | null) | null = null;
  readonly path: PathKind;
  readonly localFingerprint: Fingerprint;
  readonly remoteFingerprint: Fingerprint;
  readonly bufferedAmount = 0;

  constructor(path: PathKind, local: Fingerprint, remote: Fingerprint) {
    this.path = path;
    this.localFingerprint = local;
    this.remoteFingerprint = remote;
  }

  send(frame: Uint8Array): boolean {
    if (!this.isOpen || !this.peer) return false;
    const out = this.tamper ? this.tamper(frame.slice()) : frame.slice();
    const peer = this.peer;
    if (out) queueMicrotask(() => peer.isOpen && peer.events.emit('message', out));
    return true;
  }

  close(reason: TransportCloseReason = 'CLOSED_LOCALLY'): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.events.emit('close', reason);
    this.peer?.close('CLOSED_REMOTELY');
  }
}

/** A connected pair; fingerprints default to the relay marker (relay path). */
export function memoryPair(
  fpA: Fingerprint = 'relay',
  fpB: Fingerprint = 'relay',
  path: PathKind = 'relay',
): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport(path, fpA, fpB);
  const b = new MemoryTransport(path, fpB, fpA);
  a.peer = b;
  b.peer = a;
  a.isOpen = true;
  b.isOpen = true;
  return [a, b];
}
