/**
 * A link: the authenticated, encrypted session between two devices
 * (CRYPTO.md "Link handshake") over any transport — a data channel or relay
 * envelopes. It runs the handshake as soon as the transport is open, binds
 * the fingerprints the transport applied, aborts after HANDSHAKE_TIMEOUT_MS,
 * and from then on seals and opens every frame. Everything above (rooms,
 * DMs, files) talks to links and never to transports.
 *
 * Any frame that fails to open closes the link: on a reliable ordered
 * channel a bad frame is an attack or a bug, never noise to skip.
 */
import {
  HANDSHAKE_TIMEOUT_MS,
  Handshake,
  type HandshakeErrorCode,
  type HandshakePeer,
  type HandshakeStep,
} from '../../shared/crypto/handshake.ts';
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import type { LinkSession, LinkSessionError } from '../../shared/crypto/link-session.ts';
import { Emitter } from './emitter.ts';
import type { PathKind, Transport, TransportCloseReason } from './transport/transport.ts';

export type LinkCloseReason =
  | TransportCloseReason
  | HandshakeErrorCode
  | LinkSessionError
  | 'IDENTITY_MISMATCH'
  | 'HANDSHAKE_TIMEOUT';

export type LinkEvents = {
  /** Handshake done: `peer` is verified (cert chain, signature, pinned IK). */
  open: [peer: HandshakePeer];
  message: [plaintext: Uint8Array];
  /**
   * The peer proved a valid device of an identity key that is not the one
   * pinned for that user: the UI warns and blocks sending until accepted.
   */
  identityMismatch: [info: { presentedIk: Uint8Array; peer: HandshakePeer }];
  drain: [];
  close: [reason: LinkCloseReason];
};

export interface LinkOptions {
  transport: Transport;
  /** The lower device id initiates; the same rule picks who offers WebRTC. */
  role: 'initiator' | 'responder';
  /** Room id or DM id: bound into the transcript, so a link for one room is useless in another. */
  context: string;
  local: { dk: SigningKeyPair; cert: DeviceCert };
  expectedIk?: Uint8Array;
  expectedDeviceId?: string;
  handshakeTimeoutMs?: number;
}

export class Link {
  readonly events = new Emitter<LinkEvents>();
  readonly transport: Transport;
  #handshake: Handshake | null = null;
  #session: LinkSession | null = null;
  #peer: HandshakePeer | null = null;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #opts: LinkOptions;
  readonly #offs: Array<() => void> = [];

  constructor(opts: LinkOptions) {
    this.#opts = opts;
    this.transport = opts.transport;
    const t = opts.transport;
    this.#offs.push(
      t.events.on('message', (frame) => this.#onFrame(frame)),
      t.events.on('close', (reason) => this.#close(reason, false)),
      t.events.on('drain', () => this.events.emit('drain')),
    );
    if (t.isOpen) this.#start();
    else this.#offs.push(t.events.once('open', () => this.#start()));
    this.#timer = setTimeout(
      () => this.#close('HANDSHAKE_TIMEOUT'),
      opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    );
  }

  get isOpen(): boolean {
    return this.#session !== null && !this.#closed;
  }

  get peer(): HandshakePeer | null {
    return this.#peer;
  }

  get path(): PathKind | null {
    return this.transport.path;
  }

  get bufferedAmount(): number {
    return this.transport.bufferedAmount;
  }

  /** Seals and sends; false when the link is not open. */
  send(plaintext: Uint8Array): boolean {
    if (!this.#session || this.#closed) return false;
    return this.transport.send(this.#session.seal(plaintext));
  }

  close(): void {
    this.#close('CLOSED_LOCALLY');
  }

  #start(): void {
    if (this.#closed || this.#handshake) return;
    const t = this.transport;
    if (!t.localFingerprint || !t.remoteFingerprint) {
      this.#close('FINGERPRINT_INVALID');
      return;
    }
    const opts = {
      context: this.#opts.context,
      local: this.#opts.local,
      localFingerprint: t.localFingerprint,
      remoteFingerprint: t.remoteFingerprint,
      ...(this.#opts.expectedIk ? { expectedIk: this.#opts.expectedIk } : {}),
      ...(this.#opts.expectedDeviceId ? { expectedDeviceId: this.#opts.expectedDeviceId } : {}),
    };
    if (this.#opts.role === 'initiator') {
      const { handshake, message } = Handshake.initiate(opts);
      this.#handshake = handshake;
      t.send(message);
    } else {
      this.#handshake = Handshake.respond(opts);
    }
  }

  #onFrame(frame: Uint8Array): void {
    if (this.#closed) return;
    if (this.#session) {
      const opened = this.#session.open(frame);
      if (!opened.ok) {
        this.#close(opened.code);
        return;
      }
      if (opened.value.plaintext.length) this.events.emit('message', opened.value.plaintext);
      if (opened.value.final) this.#close('CLOSED_REMOTELY');
      return;
    }
    if (!this.#handshake) {
      // The responder's transport opened and m1 raced its 'open' event.
      this.#start();
      if (!this.#handshake) return;
    }
    this.#onHandshakeStep(this.#handshake.receive(frame));
  }

  #onHandshakeStep(step: HandshakeStep): void {
    if (!step.ok) {
      if (step.code === 'IDENTITY_MISMATCH') {
        this.events.emit('identityMismatch', { presentedIk: step.presentedIk, peer: step.peer });
      }
      this.#close(step.code);
      return;
    }
    const { reply, done } = step.value;
    if (reply) this.transport.send(reply);
    if (done) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = null;
      this.#session = done.session;
      this.#peer = done.peer;
      this.#handshake = null;
      this.events.emit('open', done.peer);
    }
  }

  #close(reason: LinkCloseReason, closeTransport = true): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#handshake?.abort();
    this.#handshake = null;
    const last = this.#session?.close() ?? null;
    this.#session = null;
    if (closeTransport) {
      // Tell the peer our direction ended cleanly, when we still can.
      if (last && reason === 'CLOSED_LOCALLY') this.transport.send(last);
      this.transport.close();
    }
    for (const off of this.#offs.splice(0)) off();
    this.events.emit('close', reason);
    this.events.clear();
  }
}
