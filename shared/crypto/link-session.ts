/**
 * The traffic phase of a link (CRYPTO.md "Link handshake" step 7): one
 * `crypto_secretstream_xchacha20poly1305` per direction, keyed by the
 * handshake's traffic keys. The data channel (or relay path) is reliable and
 * ordered, so the stream's implicit counter turns any drop, reorder, replay or
 * injection into an authentication failure, and the FINAL tag makes
 * truncation visible: a stream that ends without FINAL did not end cleanly.
 *
 * Fail closed: after the first frame that does not open, the receive side is
 * dead (`LINK_FAILED`). On a reliable channel a bad frame means tampering or a
 * lost frame, and every later frame would fail anyway; the caller tears the
 * link down and handshakes again.
 *
 * The sender pushes TAG_REKEY on every `rekeyIntervalFrames`-th frame, so
 * stream keys are ratcheted forward (libsodium rekeys both ends on that tag).
 */
import { LINK } from './constants.ts';
import { fail, ok, type Result } from './result.ts';
import {
  freeStreamState,
  initPull,
  initPush,
  pull,
  push,
  STREAM_TAG,
  type StreamState,
  streamOverheadBytes,
} from './secretstream.ts';
import { sodium } from './sodium.ts';

export type LinkSessionError =
  | 'LINK_MALFORMED'
  | 'LINK_FRAME_TOO_LARGE'
  | 'LINK_DECRYPT_FAILED'
  | 'LINK_BAD_TAG'
  | 'LINK_FAILED'
  | 'LINK_CLOSED';

export interface LinkSessionOptions {
  /** Default LINK.rekeyIntervalFrames; injectable so tests cross the boundary quickly. */
  rekeyIntervalFrames?: number;
  /** Default LINK.maxFrameBytes. */
  maxFrameBytes?: number;
}

export interface OpenedFrame {
  plaintext: Uint8Array;
  /** The peer closed its sending direction with this frame. */
  final: boolean;
}

/** The sending half: created first, because its header travels in the handshake. */
export class LinkSender {
  readonly header: Uint8Array;
  #state: StreamState | null;
  #framesSent = 0;
  readonly #rekeyIntervalFrames: number;
  readonly #maxFrameBytes: number;

  /** `trafficKey` is zeroed: the stream state holds its own copy. */
  constructor(trafficKey: Uint8Array, options: LinkSessionOptions = {}) {
    const interval = options.rekeyIntervalFrames ?? LINK.rekeyIntervalFrames;
    if (!Number.isSafeInteger(interval) || interval < 1) {
      throw new RangeError('parley/link-session: rekeyIntervalFrames must be a positive integer');
    }
    this.#rekeyIntervalFrames = interval;
    this.#maxFrameBytes = options.maxFrameBytes ?? LINK.maxFrameBytes;
    const { state, header } = initPush(trafficKey);
    sodium().memzero(trafficKey);
    this.#state = state;
    this.header = header;
  }

  get framesSent(): number {
    return this.#framesSent;
  }

  get closed(): boolean {
    return this.#state === null;
  }

  /** Largest plaintext `seal` accepts: the frame must fit the peer's `maxFrameBytes`. */
  get maxPlaintextBytes(): number {
    return this.#maxFrameBytes - streamOverheadBytes();
  }

  /** Throws only on programming errors (sealing after close, an oversized frame). */
  seal(plaintext: Uint8Array): Uint8Array {
    if (!this.#state) throw new Error('parley/link-session: seal after close');
    if (plaintext.length > this.maxPlaintextBytes) {
      throw new RangeError('parley/link-session: plaintext exceeds maxFrameBytes');
    }
    this.#framesSent += 1;
    const tag =
      this.#framesSent % this.#rekeyIntervalFrames === 0 ? STREAM_TAG.rekey : STREAM_TAG.message;
    return push(this.#state, plaintext, null, tag);
  }

  /** The FINAL frame to send (empty plaintext), or null if already closed. Frees the state. */
  close(): Uint8Array | null {
    if (!this.#state) return null;
    const last = push(this.#state, new Uint8Array(0), null, STREAM_TAG.final);
    freeStreamState(this.#state);
    this.#state = null;
    return last;
  }

  /** Frees the state without sending FINAL (the link is being torn down). */
  destroy(): void {
    if (this.#state) freeStreamState(this.#state);
    this.#state = null;
  }
}

/** The receiving half. */
export class LinkReceiver {
  #state: StreamState | null;
  #status: 'open' | 'failed' | 'closed' = 'open';
  #framesReceived = 0;
  readonly #maxFrameBytes: number;

  private constructor(state: StreamState, maxFrameBytes: number) {
    this.#state = state;
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** `trafficKey` is zeroed. Null when the peer's header is malformed. */
  static create(
    trafficKey: Uint8Array,
    peerHeader: Uint8Array,
    options: LinkSessionOptions = {},
  ): LinkReceiver | null {
    const state = initPull(peerHeader, trafficKey);
    sodium().memzero(trafficKey);
    return state ? new LinkReceiver(state, options.maxFrameBytes ?? LINK.maxFrameBytes) : null;
  }

  get framesReceived(): number {
    return this.#framesReceived;
  }

  open(frame: Uint8Array): Result<OpenedFrame, LinkSessionError> {
    if (this.#status === 'failed') return fail('LINK_FAILED');
    if (this.#status === 'closed' || !this.#state) return fail('LINK_CLOSED');
    if (!(frame instanceof Uint8Array) || frame.length < streamOverheadBytes()) {
      return this.#fail('LINK_MALFORMED');
    }
    if (frame.length > this.#maxFrameBytes) return this.#fail('LINK_FRAME_TOO_LARGE');
    const out = pull(this.#state, frame, null);
    if (!out) return this.#fail('LINK_DECRYPT_FAILED');
    this.#framesReceived += 1;
    if (out.tag === STREAM_TAG.final) {
      this.destroy();
      this.#status = 'closed';
      return ok({ plaintext: out.message, final: true });
    }
    if (out.tag !== STREAM_TAG.message && out.tag !== STREAM_TAG.rekey) {
      return this.#fail('LINK_BAD_TAG');
    }
    return ok({ plaintext: out.message, final: false });
  }

  /** True once FINAL arrived: the peer's stream ended cleanly (not truncated). */
  get endedCleanly(): boolean {
    return this.#status === 'closed';
  }

  destroy(): void {
    if (this.#state) freeStreamState(this.#state);
    this.#state = null;
  }

  #fail(code: LinkSessionError): { ok: false; code: LinkSessionError } {
    this.destroy();
    this.#status = 'failed';
    return fail(code);
  }
}

/** Both directions of an established link, as the handshake returns it. */
export class LinkSession {
  readonly #sender: LinkSender;
  readonly #receiver: LinkReceiver;

  constructor(sender: LinkSender, receiver: LinkReceiver) {
    this.#sender = sender;
    this.#receiver = receiver;
  }

  seal(plaintext: Uint8Array): Uint8Array {
    return this.#sender.seal(plaintext);
  }

  get maxPlaintextBytes(): number {
    return this.#sender.maxPlaintextBytes;
  }

  open(frame: Uint8Array): Result<OpenedFrame, LinkSessionError> {
    return this.#receiver.open(frame);
  }

  get framesSent(): number {
    return this.#sender.framesSent;
  }

  get framesReceived(): number {
    return this.#receiver.framesReceived;
  }

  /** The peer sent FINAL: everything it sent has arrived. */
  get peerEndedCleanly(): boolean {
    return this.#receiver.endedCleanly;
  }

  /**
   * Ends our direction: returns the FINAL frame to send (null if already
   * closed) and frees both stream states, so the keys are gone.
   */
  close(): Uint8Array | null {
    const last = this.#sender.close();
    this.#receiver.destroy();
    return last;
  }
}
