/**
 * Moving a link that fell back to the relay path onto a data channel once
 * one connects (a later try after a slow start, a network that changed, a
 * TURN server that came back). The relay-path link keeps carrying traffic
 * while the initiator tries; only when the new data channel is open does
 * the mesh retire the old link and run a fresh handshake over the new one,
 * which the layers above see as the link reopening (peerClose, peerOpen).
 *
 * An upgrade is a link attempt of its own, marked in its attempt id so the
 * responder does not take it for a restarted peer (which would drop the
 * working relay link before anything better exists).
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import { randomBytes } from '../../shared/crypto/random.ts';
import { type PeerSignal, PeerTransport } from './transport/peer-transport.ts';

export const UPGRADE_DEFAULTS = {
  /** First try this long after a relay-path link opened; doubles after each failure. */
  firstDelayMs: 15_000,
  maxDelayMs: 5 * 60_000,
  /** No hurry: the relay path works meanwhile, so an upgrade gets longer to connect. */
  connectTimeoutMs: 20_000,
} as const;

/** Not in the base64url alphabet, so no ordinary attempt id starts with it. */
const UPGRADE_MARK = '~';

export function isUpgradeAttempt(attempt: string): boolean {
  return attempt.startsWith(UPGRADE_MARK);
}

export function newUpgradeAttempt(): string {
  return UPGRADE_MARK + toB64(randomBytes(9));
}

export interface DirectUpgradeOptions {
  attempt: string;
  initiator: boolean;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  wrtc?: object;
  connectTimeoutMs?: number;
  sendSignal(signal: PeerSignal): void;
  /** The data channel is open: the mesh moves the link onto `transport`. */
  onOpen(upgrade: DirectUpgrade): void;
  /** It did not connect (or was closed): try again later. */
  onFail(upgrade: DirectUpgrade): void;
}

export class DirectUpgrade {
  readonly attempt: string;
  readonly transport: PeerTransport;
  #settled = false;

  constructor(opts: DirectUpgradeOptions) {
    this.attempt = opts.attempt;
    this.transport = new PeerTransport({
      initiator: opts.initiator,
      iceServers: opts.iceServers,
      connectTimeoutMs: opts.connectTimeoutMs ?? UPGRADE_DEFAULTS.connectTimeoutMs,
      ...(opts.iceTransportPolicy ? { iceTransportPolicy: opts.iceTransportPolicy } : {}),
      ...(opts.wrtc ? { wrtc: opts.wrtc } : {}),
    });
    this.transport.events.on('signal', (s: PeerSignal) => opts.sendSignal(s));
    this.transport.events.once('open', () => {
      if (this.#settled) return;
      this.#settled = true;
      opts.onOpen(this);
    });
    this.transport.events.once('close', () => {
      if (this.#settled) return;
      this.#settled = true;
      opts.onFail(this);
    });
  }

  receiveSignal(signal: unknown): void {
    this.transport.receiveSignal(signal);
  }

  /** Abandons the attempt (the transport, if it was handed over, is the mesh's now). */
  cancel(): void {
    if (this.#settled) return;
    this.#settled = true;
    this.transport.close();
  }
}
