/**
 * Room sender keys (CRYPTO.md "Rooms: sender keys"). Each (device, room,
 * epoch) has a symmetric hash chain: `MK_n = kdf(CK_n, 1, "sk_msg__")`,
 * `CK_{n+1} = kdf(CK_n, 2, "sk_chain")`, CK_n wiped after use, so a chain key
 * handed to a member opens messages from its index on, never before.
 *
 * Every message is signed by the sender's DK: all members hold the chain key,
 * and without the signature any of them could write as any other.
 * Receivers verify that signature before touching the chain, then derive with
 * libsignal's bounds (25 000 forward jumps, 2 000 stored skipped keys, oldest
 * evicted), and refuse a used index (replay).
 *
 * Deviation: the signature covers frame("parley/sk/v1", header, nonce, c)
 * rather than header‖nonce‖c: DK signs several kinds of data (relay login,
 * handshakes, events), and a leading domain keeps a signature for one from
 * ever verifying as another.
 */
import { SENDER_KEYS, SIZES, WIRE_TYPE } from './constants.ts';
import { isWellFormedText, utf8 } from './encoding.ts';
import type { SigningKeyPair } from './keys.ts';
import { randomBytes } from './random.ts';
import { fail, ok, type Result } from './result.ts';
import {
  checkIds,
  messageKey,
  nextChainKey,
  type SenderKeyStateError,
  STATE_MAX_BYTES,
} from './sender-key-ratchet.ts';
import {
  AEAD_NONCE_BYTES,
  CHAIN_KEY_BYTES,
  distributionSignatureInput,
  encodeDistribution,
  encodeHeader,
  encodeMessage,
  messageSignatureInput,
  type SenderKeyDistribution,
} from './sender-key-wire.ts';
import { sodium } from './sodium.ts';
import { decodeWire, encodeWire, readBytes, readText, readU64 } from './wire.ts';

export { type EpochEvent, type EpochStatus, shouldRotateEpoch } from './sender-key-epoch.ts';
export type { SenderKeyError, SenderKeyStateError } from './sender-key-ratchet.ts';
export {
  type DecryptedRoomMessage,
  peekSenderKeyHeader,
  SenderKeyReceiver,
  verifyDistribution,
} from './sender-key-receiver.ts';
export type { SenderKeyDistribution, SenderKeyHeader } from './sender-key-wire.ts';

/** My chain for one (room, epoch): encrypts and signs my messages. */
export class SenderKeyChain {
  readonly room: string;
  readonly epoch: number;
  readonly createdAtMs: number;
  readonly #dk: SigningKeyPair;
  #chainKey: Uint8Array | null;
  #n: number;

  private constructor(
    room: string,
    epoch: number,
    createdAtMs: number,
    dk: SigningKeyPair,
    chainKey: Uint8Array,
    n: number,
  ) {
    this.room = room;
    this.epoch = epoch;
    this.createdAtMs = createdAtMs;
    this.#dk = dk;
    this.#chainKey = chainKey;
    this.#n = n;
  }

  static create(opts: {
    room: string;
    epoch: number;
    dk: SigningKeyPair;
    createdAtMs: number;
  }): SenderKeyChain {
    checkIds(opts.room, opts.epoch);
    const ck = sodium().crypto_kdf_keygen();
    return new SenderKeyChain(opts.room, opts.epoch, opts.createdAtMs, opts.dk, ck, 0);
  }

  get dkPk(): Uint8Array {
    return this.#dk.publicKey;
  }

  /** Index of the next message, i.e. messages sent in this epoch. */
  get nextIndex(): number {
    return this.#n;
  }

  /** The wire message. Throws only on misuse (closed chain, oversize input). */
  encrypt(plaintext: Uint8Array, meta: { msgId: string; ts: number }): Uint8Array {
    const s = sodium();
    const ck = this.#chainKey;
    if (!ck) throw new Error('parley/sender-keys: chain is closed');
    if (plaintext.length > SENDER_KEYS.maxPlaintextBytes) {
      throw new RangeError('parley/sender-keys: plaintext too large');
    }
    if (!isWellFormedText(meta.msgId) || utf8(meta.msgId).length > SENDER_KEYS.maxMsgIdBytes) {
      throw new RangeError('parley/sender-keys: msgId too long');
    }
    const headerBytes = encodeHeader({
      room: this.room,
      epoch: this.epoch,
      dkPk: this.#dk.publicKey,
      n: this.#n,
      msgId: meta.msgId,
      ts: meta.ts,
    });
    const mk = messageKey(ck);
    this.#chainKey = nextChainKey(ck);
    s.memzero(ck);
    this.#n += 1;
    const nonce = randomBytes(AEAD_NONCE_BYTES);
    const padded = s.pad(plaintext, SENDER_KEYS.padBlockBytes);
    const ciphertext = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
      padded,
      headerBytes,
      null,
      nonce,
      mk,
    );
    s.memzero(mk);
    s.memzero(padded);
    const sig = s.crypto_sign_detached(
      messageSignatureInput(headerBytes, nonce, ciphertext),
      this.#dk.privateKey,
    );
    return encodeMessage({ headerBytes, nonce, ciphertext, sig });
  }

  /**
   * The signed distribution of the current chain key (opens messages from
   * `nextIndex` on). Secret: carry it only over a link or in sealed mail.
   */
  distribution(): Uint8Array {
    if (!this.#chainKey) throw new Error('parley/sender-keys: chain is closed');
    const d: SenderKeyDistribution = {
      room: this.room,
      epoch: this.epoch,
      dkPk: this.#dk.publicKey,
      n: this.#n,
      chainKey: this.#chainKey,
    };
    return encodeDistribution(
      d,
      sodium().crypto_sign_detached(distributionSignatureInput(d), this.#dk.privateKey),
    );
  }

  /** Secret state for the engine to store encrypted at rest (DK is not in it). */
  exportState(): Uint8Array {
    if (!this.#chainKey) throw new Error('parley/sender-keys: chain is closed');
    return encodeWire(
      WIRE_TYPE.senderKeyChainState,
      this.room,
      this.epoch,
      this.#dk.publicKey,
      this.#n,
      this.#chainKey,
      this.createdAtMs,
    );
  }

  static importState(
    bytes: Uint8Array,
    dk: SigningKeyPair,
  ): Result<SenderKeyChain, SenderKeyStateError> {
    const f = decodeWire(bytes, WIRE_TYPE.senderKeyChainState, 6, STATE_MAX_BYTES);
    const room = readText(f?.[0], SENDER_KEYS.maxRoomIdBytes);
    const epoch = readU64(f?.[1]);
    const dkPk = readBytes(f?.[2], SIZES.publicKeyBytes);
    const n = readU64(f?.[3]);
    const ck = readBytes(f?.[4], CHAIN_KEY_BYTES);
    const createdAtMs = readU64(f?.[5]);
    if (
      room === null ||
      epoch === null ||
      !dkPk ||
      n === null ||
      !ck ||
      createdAtMs === null ||
      !sodium().memcmp(dkPk, dk.publicKey)
    ) {
      if (ck) sodium().memzero(ck);
      return fail('SK_STATE_INVALID');
    }
    return ok(new SenderKeyChain(room, epoch, createdAtMs, dk, ck, n));
  }

  close(): void {
    if (this.#chainKey) sodium().memzero(this.#chainKey);
    this.#chainKey = null;
  }
}
