/**
 * Link handshake (CRYPTO.md "Link handshake"): a pure state machine, bytes in,
 * bytes out, errors as coded values. No timers: the caller aborts after
 * `LINK.handshakeTimeoutMs` (re-exported as HANDSHAKE_TIMEOUT_MS).
 *
 *   m1 A→B  e_A, n_A
 *   m2 B→A  e_B, n_B, AEAD(hk_BA, AD=th){IK_B, DK_B, cert_B, sig_B, hdr_BA}
 *   m3 A→B  AEAD(hk_AB, AD=th){IK_A, DK_A, cert_A, sig_A, hdr_AB}
 *
 * th = generichash(32, frame("parley/hs/v1", context, e_A, e_B, n_A, n_B,
 * fp_A, fp_B)), with each fp as that side *applied* it (its own local
 * description; the remote description it was given), or "relay" on the relay
 * path. A relay that swaps DTLS fingerprints gives A and B different th, so
 * each side's AEAD (AD = th) and signature (over th) fail at the other.
 * On the relay path the fingerprints bind nothing, and the pinned IK
 * (`expectedIk`) is what stops a man in the middle: it yields
 * IDENTITY_MISMATCH with the IK that was presented, for the UI to warn.
 *
 * B shows its identity (sealed, but to whoever sent m1) before A proves
 * anything; A reveals its identity only to a B it has already verified.
 *
 * Choice (brief): each side's secretstream header for its sending direction
 * travels inside its sealed payload (hdr above), so the link needs no extra
 * round trip and the header is bound to th.
 */
import { LINK, WIRE_TYPE } from './constants.ts';
import { isWellFormedText } from './encoding.ts';
import {
  directionKeys,
  type LinkFingerprint,
  openProof,
  sealProof,
  transcriptHash,
} from './handshake-transcript.ts';
import type {
  HandshakeErrorCode,
  HandshakeFailure,
  HandshakeOptions,
  HandshakePeer,
  HandshakeRole,
  HandshakeState,
  HandshakeStep,
} from './handshake-types.ts';
import { LinkReceiver, LinkSender, LinkSession } from './link-session.ts';
import { randomBytes } from './random.ts';
import { fail, ok } from './result.ts';
import { sodium } from './sodium.ts';
import { decodeWire, encodeWire, readBytes } from './wire.ts';

export type { LinkFingerprint } from './handshake-transcript.ts';
export { transcriptHash } from './handshake-transcript.ts';
export type {
  HandshakeErrorCode,
  HandshakeFailure,
  HandshakeOptions,
  HandshakePeer,
  HandshakeProgress,
  HandshakeRole,
  HandshakeState,
  HandshakeStep,
  HandshakeSuccess,
} from './handshake-types.ts';

export const HANDSHAKE_TIMEOUT_MS = LINK.handshakeTimeoutMs;

const KEY_BYTES = 32;
const NONCE_BYTES = 32;

type Ephemeral = { publicKey: Uint8Array; privateKey: Uint8Array };

function checkFingerprint(fp: LinkFingerprint): void {
  if (fp === LINK.relayFingerprint) return;
  if (!(fp instanceof Uint8Array) || fp.length !== 32) {
    throw new RangeError('parley/handshake: a fingerprint is 32 bytes or "relay"');
  }
}

export class Handshake {
  readonly role: HandshakeRole;
  readonly #opts: HandshakeOptions;
  #state: HandshakeState;
  #ephemeral: Ephemeral;
  #nonce: Uint8Array;
  #peerEphemeral: Uint8Array | null = null;
  #peerNonce: Uint8Array | null = null;
  // Set once the peer's ephemeral is known (responder after m1).
  #th: Uint8Array | null = null;
  #hkRx: Uint8Array | null = null;
  #trafficRx: Uint8Array | null = null;
  #sender: LinkSender | null = null;

  private constructor(role: HandshakeRole, opts: HandshakeOptions) {
    if (!isWellFormedText(opts.context)) {
      throw new RangeError('parley/handshake: context must be well-formed text');
    }
    if (!sodium().memcmp(opts.local.cert.dkPk, opts.local.dk.publicKey)) {
      throw new RangeError('parley/handshake: local cert is not for local device key');
    }
    checkFingerprint(opts.localFingerprint);
    checkFingerprint(opts.remoteFingerprint);
    this.role = role;
    this.#opts = opts;
    const s = sodium();
    this.#ephemeral = opts.ephemeral
      ? {
          publicKey: opts.ephemeral.keyPair.publicKey,
          privateKey: opts.ephemeral.keyPair.privateKey.slice(),
        }
      : s.crypto_kx_keypair();
    this.#nonce = opts.ephemeral ? opts.ephemeral.nonce.slice() : randomBytes(NONCE_BYTES);
    this.#state = role === 'initiator' ? 'awaiting-response' : 'awaiting-init';
  }

  /** A: the handshake and m1 to send. */
  static initiate(opts: HandshakeOptions): { handshake: Handshake; message: Uint8Array } {
    const handshake = new Handshake('initiator', opts);
    const message = encodeWire(
      WIRE_TYPE.handshakeInit,
      handshake.#ephemeral.publicKey,
      handshake.#nonce,
    );
    return { handshake, message };
  }

  /** B: waits for m1. */
  static respond(opts: HandshakeOptions): Handshake {
    return new Handshake('responder', opts);
  }

  get state(): HandshakeState {
    return this.#state;
  }

  /** Feeds the peer's next message. Never throws. */
  receive(message: Uint8Array): HandshakeStep {
    // After the end, nothing more is expected; the state (and a handed-out session) stays as is.
    if (this.#state === 'done' || this.#state === 'failed') return fail('HANDSHAKE_UNEXPECTED');
    try {
      switch (this.#state) {
        case 'awaiting-init':
          return this.#onInit(message);
        case 'awaiting-response':
          return this.#onResponse(message);
        case 'awaiting-finish':
          return this.#onFinish(message);
      }
    } catch {
      // Only libsodium rejecting a key (e.g. a low-order point) can land here.
      return this.#fail('HANDSHAKE_FAILED');
    }
  }

  /** The caller's timeout fired, or the link went away: wipe everything. */
  abort(): void {
    if (this.#state !== 'done') this.#state = 'failed';
    this.#wipe();
    this.#sender?.destroy();
    this.#sender = null;
  }

  #onInit(message: Uint8Array): HandshakeStep {
    const fields = decodeWire(message, WIRE_TYPE.handshakeInit, 2, LINK.maxHandshakeMessageBytes);
    const eA = readBytes(fields?.[0], KEY_BYTES);
    const nA = readBytes(fields?.[1], NONCE_BYTES);
    if (!eA || !nA) return this.#fail('HANDSHAKE_MALFORMED');
    this.#peerEphemeral = eA;
    this.#peerNonce = nA;
    const keys = this.#sessionKeys();
    if (!keys) return this.#fail('HANDSHAKE_KEY_REJECTED');
    const reply = this.#sealOwnProof(keys.hkTx, keys.trafficTx, WIRE_TYPE.handshakeResponse);
    this.#state = 'awaiting-finish';
    return ok({ reply, done: null });
  }

  #onResponse(message: Uint8Array): HandshakeStep {
    const fields = decodeWire(
      message,
      WIRE_TYPE.handshakeResponse,
      4,
      LINK.maxHandshakeMessageBytes,
    );
    const eB = readBytes(fields?.[0], KEY_BYTES);
    const nB = readBytes(fields?.[1], NONCE_BYTES);
    if (!fields || !eB || !nB) return this.#fail('HANDSHAKE_MALFORMED');
    this.#peerEphemeral = eB;
    this.#peerNonce = nB;
    const keys = this.#sessionKeys();
    if (!keys) return this.#fail('HANDSHAKE_KEY_REJECTED');
    const opened = this.#openPeerProof(fields[2], fields[3]);
    if (!opened.ok) {
      sodium().memzero(keys.hkTx);
      sodium().memzero(keys.trafficTx);
      return opened;
    }
    const reply = this.#sealOwnProof(keys.hkTx, keys.trafficTx, WIRE_TYPE.handshakeFinish);
    return this.#finish(opened.peer, opened.header, reply);
  }

  #onFinish(message: Uint8Array): HandshakeStep {
    const fields = decodeWire(message, WIRE_TYPE.handshakeFinish, 2, LINK.maxHandshakeMessageBytes);
    if (!fields) return this.#fail('HANDSHAKE_MALFORMED');
    const opened = this.#openPeerProof(fields[0], fields[1]);
    if (!opened.ok) return opened;
    return this.#finish(opened.peer, opened.header, null);
  }

  /** Derives th and both directions' keys; keeps the receive side, returns the send side. */
  #sessionKeys(): { hkTx: Uint8Array; trafficTx: Uint8Array } | null {
    const s = sodium();
    const peerE = this.#peerEphemeral!;
    if (s.memcmp(peerE, this.#ephemeral.publicKey)) return null;
    let kx: { sharedRx: Uint8Array; sharedTx: Uint8Array };
    try {
      kx =
        this.role === 'initiator'
          ? s.crypto_kx_client_session_keys(
              this.#ephemeral.publicKey,
              this.#ephemeral.privateKey,
              peerE,
            )
          : s.crypto_kx_server_session_keys(
              this.#ephemeral.publicKey,
              this.#ephemeral.privateKey,
              peerE,
            );
    } catch {
      return null;
    } finally {
      s.memzero(this.#ephemeral.privateKey);
    }
    const initiator = this.role === 'initiator';
    const eA = initiator ? this.#ephemeral.publicKey : peerE;
    const eB = initiator ? peerE : this.#ephemeral.publicKey;
    const nA = initiator ? this.#nonce : this.#peerNonce!;
    const nB = initiator ? this.#peerNonce! : this.#nonce;
    const fpA = initiator ? this.#opts.localFingerprint : this.#opts.remoteFingerprint;
    const fpB = initiator ? this.#opts.remoteFingerprint : this.#opts.localFingerprint;
    this.#th = transcriptHash({ context: this.#opts.context, eA, eB, nA, nB, fpA, fpB });
    const tx = directionKeys(kx.sharedTx);
    const rx = directionKeys(kx.sharedRx);
    this.#hkRx = rx.hk;
    this.#trafficRx = rx.traffic;
    s.memzero(kx.sharedTx);
    s.memzero(kx.sharedRx);
    return { hkTx: tx.hk, trafficTx: tx.traffic };
  }

  /** Builds m2 or m3; zeroes hkTx, hands trafficTx to the sending stream. */
  #sealOwnProof(hkTx: Uint8Array, trafficTx: Uint8Array, type: number): Uint8Array {
    this.#sender = new LinkSender(trafficTx, this.#opts.session);
    const { nonce, sealed } = sealProof(
      hkTx,
      this.#th!,
      this.role,
      this.#opts.local,
      this.#sender.header,
    );
    sodium().memzero(hkTx);
    return type === WIRE_TYPE.handshakeResponse
      ? encodeWire(type, this.#ephemeral.publicKey, this.#nonce, nonce, sealed)
      : encodeWire(type, nonce, sealed);
  }

  #openPeerProof(
    nonceField: Uint8Array | undefined,
    sealedField: Uint8Array | undefined,
  ): { ok: true; peer: HandshakePeer; header: Uint8Array } | HandshakeFailure {
    const s = sodium();
    // The peer signs the label of *its* role.
    const peerRole = this.role === 'initiator' ? 'responder' : 'initiator';
    const opened = openProof(this.#hkRx!, this.#th!, peerRole, nonceField, sealedField);
    if (!opened.ok) return this.#fail(opened.code);
    s.memzero(this.#hkRx!);
    this.#hkRx = null;
    const { cert, streamHeader: header } = opened.value;
    if (s.memcmp(cert.dkPk, this.#opts.local.dk.publicKey))
      return this.#fail('HANDSHAKE_REFLECTED');
    const peer: HandshakePeer = {
      ikPk: cert.ikPk,
      dkPk: cert.dkPk,
      deviceId: cert.deviceId,
      cert,
    };
    const { expectedIk, expectedDeviceId } = this.#opts;
    if (
      expectedIk &&
      !(expectedIk.length === cert.ikPk.length && s.memcmp(expectedIk, cert.ikPk))
    ) {
      this.#failQuietly();
      return { ok: false, code: 'IDENTITY_MISMATCH', presentedIk: cert.ikPk, peer };
    }
    if (expectedDeviceId !== undefined && expectedDeviceId !== cert.deviceId) {
      return this.#fail('DEVICE_MISMATCH');
    }
    return { ok: true, peer, header };
  }

  #finish(peer: HandshakePeer, peerHeader: Uint8Array, reply: Uint8Array | null): HandshakeStep {
    const receiver = LinkReceiver.create(this.#trafficRx!, peerHeader, this.#opts.session);
    this.#trafficRx = null;
    if (!receiver || !this.#sender) return this.#fail('HANDSHAKE_MALFORMED');
    const session = new LinkSession(this.#sender, receiver);
    this.#sender = null;
    const transcriptHash = this.#th!;
    this.#state = 'done';
    this.#wipe();
    return ok({ reply, done: { peer, transcriptHash, session } });
  }

  #fail(code: HandshakeErrorCode): { ok: false; code: HandshakeErrorCode } {
    this.#failQuietly();
    return { ok: false, code };
  }

  #failQuietly(): void {
    this.#state = 'failed';
    this.#wipe();
    this.#sender?.destroy();
    this.#sender = null;
  }

  #wipe(): void {
    const s = sodium();
    s.memzero(this.#ephemeral.privateKey);
    if (this.#hkRx) s.memzero(this.#hkRx);
    if (this.#trafficRx) s.memzero(this.#trafficRx);
    this.#hkRx = null;
    this.#trafficRx = null;
  }
}
