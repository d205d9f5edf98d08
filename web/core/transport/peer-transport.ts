/**
 * A WebRTC data channel to one peer device, via simple-peer, as a Transport.
 *
 * Signals from the other side arrive through the relay, which is not trusted:
 * each is validated before simple-peer sees it, and anything but an offer, an
 * answer or an ICE candidate (no renegotiation: Parley carries no media)
 * closes the transport. On connect the transport reads the DTLS fingerprints
 * from the descriptions *as applied* — the link handshake binds them, so a
 * relay that swapped fingerprints in signalling is caught there.
 */
import SimplePeer from 'simple-peer';
import * as v from 'valibot';
import { LINK } from '../../../shared/crypto/constants.ts';
import { parseSdpFingerprint } from '../../../shared/crypto/sdp-fingerprint.ts';
import { Emitter } from '../emitter.ts';
import { selectedPathKind } from './path-kind.ts';
import type {
  Fingerprint,
  PathKind,
  Transport,
  TransportCloseReason,
  TransportEvents,
} from './transport.ts';

export const PEER_TRANSPORT_DEFAULTS = {
  /** Give up on a direct path this long after starting; the mesh then uses the relay. */
  connectTimeoutMs: 8_000,
  /**
   * Low-water mark for `drain` (CRYPTO.md "Files": pause above 1 MiB
   * buffered, resume at 256 KiB). We only use `send()`, never simple-peer's
   * stream `write()`, so changing the threshold is safe (FINDINGS.md warns
   * that mixing the two hangs writes).
   */
  drainThresholdBytes: 256 * 1024,
  /**
   * Frames that arrive between the channel opening and `open` (we read the
   * fingerprints and the path first, which takes a getStats round): kept and
   * delivered after `open`. Without this, the initiator's first handshake
   * frame was lost whenever its side finished first, and the link sat until
   * its handshake timeout (seen as 10–20 s meshes of 6 pages joining at once).
   */
  maxFramesBeforeOpen: 64,
} as const;

const CandidateSchema = v.strictObject({
  candidate: v.pipe(v.string(), v.maxLength(1024)),
  sdpMLineIndex: v.optional(
    v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(64))),
  ),
  sdpMid: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(64)))),
  usernameFragment: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(256)))),
});

export const PeerSignalSchema = v.variant('type', [
  v.strictObject({
    type: v.picklist(['offer', 'answer']),
    sdp: v.pipe(v.string(), v.minLength(1), v.maxLength(LINK.maxSdpChars)),
  }),
  v.strictObject({ type: v.literal('candidate'), candidate: CandidateSchema }),
]);

export type PeerSignal = v.InferOutput<typeof PeerSignalSchema>;

export interface PeerTransportOptions {
  /** The lower device id initiates, so two devices never both offer (no glare). */
  initiator: boolean;
  iceServers: RTCIceServer[];
  /** 'relay' forces TURN (tests of the TURN path). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** A W3C WebRTC implementation for Node (node-datachannel); browsers use their own. */
  wrtc?: object;
  connectTimeoutMs?: number;
  drainThresholdBytes?: number;
}

type PeerInternals = {
  _pc?: RTCPeerConnection;
  _channel?: RTCDataChannel;
};

export class PeerTransport implements Transport {
  readonly events = new Emitter<TransportEvents & { signal: [PeerSignal] }>();
  #path: PathKind | null = null;
  #localFingerprint: Fingerprint | null = null;
  #remoteFingerprint: Fingerprint | null = null;
  #open = false;
  #closed = false;
  #aboveLowWater = false;
  #beforeOpen: Uint8Array[] = [];
  readonly #peer: SimplePeer.Instance;
  readonly #drainThresholdBytes: number;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(opts: PeerTransportOptions) {
    this.#drainThresholdBytes =
      opts.drainThresholdBytes ?? PEER_TRANSPORT_DEFAULTS.drainThresholdBytes;
    const config: RTCConfiguration = { iceServers: opts.iceServers };
    if (opts.iceTransportPolicy) config.iceTransportPolicy = opts.iceTransportPolicy;
    this.#peer = new SimplePeer({
      initiator: opts.initiator,
      trickle: true,
      config,
      ...(opts.wrtc ? { wrtc: opts.wrtc as SimplePeer.Options['wrtc'] } : {}),
    });
    this.#timer = setTimeout(
      () => this.#fail('CONNECT_TIMEOUT'),
      opts.connectTimeoutMs ?? PEER_TRANSPORT_DEFAULTS.connectTimeoutMs,
    );
    this.#peer.on('signal', (data: unknown) => {
      // Only forward what the other side would accept from us.
      const parsed = v.safeParse(PeerSignalSchema, data);
      if (parsed.success) this.events.emit('signal', parsed.output);
    });
    this.#peer.on('connect', () => void this.#onConnect());
    this.#peer.on('data', (data: Uint8Array) => {
      const frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      if (this.#open) this.events.emit('message', frame);
      else if (this.#beforeOpen.length < PEER_TRANSPORT_DEFAULTS.maxFramesBeforeOpen) {
        this.#beforeOpen.push(frame);
      } else this.#fail('CONNECTION_FAILED');
    });
    this.#peer.on('close', () => this.#fail('CLOSED_REMOTELY'));
    this.#peer.on('error', () => this.#fail('CONNECTION_FAILED'));
  }

  get isOpen(): boolean {
    return this.#open;
  }
  get path(): PathKind | null {
    return this.#path;
  }
  get localFingerprint(): Fingerprint | null {
    return this.#localFingerprint;
  }
  get remoteFingerprint(): Fingerprint | null {
    return this.#remoteFingerprint;
  }
  get bufferedAmount(): number {
    return (this.#peer as unknown as PeerInternals)._channel?.bufferedAmount ?? 0;
  }

  /** Feeds a signal that arrived (through the relay) from the other device. */
  receiveSignal(raw: unknown): void {
    if (this.#closed) return;
    const parsed = v.safeParse(PeerSignalSchema, raw);
    if (!parsed.success) {
      this.#fail('BAD_SIGNAL');
      return;
    }
    try {
      this.#peer.signal(parsed.output as SimplePeer.SignalData);
    } catch {
      this.#fail('BAD_SIGNAL');
    }
  }

  send(frame: Uint8Array): boolean {
    if (!this.#open) return false;
    try {
      this.#peer.send(frame);
    } catch {
      this.#fail('CONNECTION_FAILED');
      return false;
    }
    if (!this.#aboveLowWater && this.bufferedAmount > this.#drainThresholdBytes) {
      this.#aboveLowWater = true;
    }
    return true;
  }

  close(): void {
    this.#fail('CLOSED_LOCALLY');
  }

  async #onConnect(): Promise<void> {
    const internals = this.#peer as unknown as PeerInternals;
    const pc = internals._pc;
    const local = pc?.localDescription?.sdp;
    const remote = pc?.remoteDescription?.sdp;
    const localFp = local ? parseSdpFingerprint(local) : null;
    const remoteFp = remote ? parseSdpFingerprint(remote) : null;
    if (!pc || !localFp?.ok || !remoteFp?.ok) {
      this.#fail('FINGERPRINT_INVALID');
      return;
    }
    let path: PathKind = 'direct';
    try {
      path = (await selectedPathKind(pc)) ?? 'direct';
    } catch {
      // Stats are advisory; a missing report must not drop a working channel.
    }
    if (this.#closed) return;
    const channel = internals._channel;
    if (channel) {
      channel.bufferedAmountLowThreshold = this.#drainThresholdBytes;
      channel.addEventListener('bufferedamountlow', () => {
        if (!this.#aboveLowWater) return;
        this.#aboveLowWater = false;
        this.events.emit('drain');
      });
    }
    clearTimeout(this.#timer);
    this.#localFingerprint = localFp.value;
    this.#remoteFingerprint = remoteFp.value;
    this.#path = path;
    this.#open = true;
    this.events.emit('open');
    for (const frame of this.#beforeOpen.splice(0)) {
      if (!this.#open) return;
      this.events.emit('message', frame);
    }
  }

  #fail(reason: TransportCloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#open = false;
    this.#beforeOpen = [];
    clearTimeout(this.#timer);
    this.#peer.destroy();
    this.events.emit('close', reason);
    this.events.clear();
  }
}
