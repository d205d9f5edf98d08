/**
 * Receiving side of room sender keys (CRYPTO.md "Rooms: sender keys"): one
 * SenderKeyReceiver per (other device, room, epoch), created from a verified
 * distribution. The signature is checked before the chain is touched, then
 * libsignal's bounds apply: at most 25 000 forward jumps, at most 2 000
 * stored skipped keys (oldest evicted); a used index is a replay.
 */
import { SENDER_KEYS, SIZES, WIRE_TYPE } from './constants.ts';
import { concatBytes, u64 } from './encoding.ts';
import { fail, ok, type Result } from './result.ts';
import {
  checkIds,
  messageKey,
  nextChainKey,
  openPadded,
  type SenderKeyError,
  type SenderKeyStateError,
  SKIPPED_ENTRY_BYTES,
  STATE_MAX_BYTES,
} from './sender-key-ratchet.ts';
import {
  CHAIN_KEY_BYTES,
  decodeDistribution,
  decodeMessage,
  distributionSignatureInput,
  messageSignatureInput,
  type SenderKeyDistribution,
  type SenderKeyHeader,
} from './sender-key-wire.ts';
import { sodium } from './sodium.ts';
import { decodeWire, encodeWire, readBytes, readText, readU64 } from './wire.ts';

export interface DecryptedRoomMessage {
  plaintext: Uint8Array;
  header: SenderKeyHeader;
}

/** The routing fields of a message (which receiver to use), unverified. */
export function peekSenderKeyHeader(message: Uint8Array): SenderKeyHeader | null {
  return decodeMessage(message)?.header ?? null;
}

/**
 * Verifies a distribution's signature and shape. The caller still checks
 * that `dkPk` is a certified device of a member of `room` at `epoch`.
 */
export function verifyDistribution(
  bytes: Uint8Array,
  expected: { dkPk?: Uint8Array; room?: string } = {},
): Result<SenderKeyDistribution, SenderKeyError> {
  const decoded = decodeDistribution(bytes);
  if (!decoded) return fail('SK_MALFORMED');
  const { distribution: d, sig } = decoded;
  const s = sodium();
  if (expected.dkPk && !(expected.dkPk.length === 32 && s.memcmp(expected.dkPk, d.dkPk))) {
    return fail('SK_WRONG_SENDER');
  }
  if (!s.crypto_sign_verify_detached(sig, distributionSignatureInput(d), d.dkPk)) {
    return fail('SK_BAD_SIGNATURE');
  }
  if (expected.room !== undefined && expected.room !== d.room) return fail('SK_WRONG_CHAIN');
  return ok(d);
}

/** Another device's chain for one (room, epoch): verifies and decrypts its messages. */
export class SenderKeyReceiver {
  readonly room: string;
  readonly epoch: number;
  readonly dkPk: Uint8Array;
  #chainKey: Uint8Array | null;
  #next: number;
  /** n → MK_n for messages not yet seen; Map order = insertion = ascending n. */
  readonly #skipped = new Map<number, Uint8Array>();

  private constructor(d: SenderKeyDistribution) {
    this.room = d.room;
    this.epoch = d.epoch;
    this.dkPk = d.dkPk.slice();
    this.#chainKey = d.chainKey.slice();
    this.#next = d.n;
  }

  /** From a distribution the caller verified (`verifyDistribution`). */
  static fromDistribution(d: SenderKeyDistribution): SenderKeyReceiver {
    checkIds(d.room, d.epoch);
    if (d.dkPk.length !== SIZES.publicKeyBytes || d.chainKey.length !== CHAIN_KEY_BYTES) {
      throw new RangeError('parley/sender-keys: bad distribution key sizes');
    }
    return new SenderKeyReceiver(d);
  }

  get nextIndex(): number {
    return this.#next;
  }

  get skippedKeyCount(): number {
    return this.#skipped.size;
  }

  /**
   * Verifies the sender's signature first, then opens the message. Never
   * throws; the state changes only when a message decrypts.
   */
  decrypt(message: Uint8Array): Result<DecryptedRoomMessage, SenderKeyError> {
    try {
      return this.#decrypt(message);
    } catch {
      // Decoding bounds every size first; this is a last line, not a path.
      return fail('SK_MALFORMED');
    }
  }

  #decrypt(message: Uint8Array): Result<DecryptedRoomMessage, SenderKeyError> {
    const s = sodium();
    if (!this.#chainKey) return fail('SK_CLOSED');
    const m = decodeMessage(message);
    if (!m) return fail('SK_MALFORMED');
    const { header } = m;
    if (!s.memcmp(header.dkPk, this.dkPk)) return fail('SK_WRONG_SENDER');
    const signed = messageSignatureInput(m.headerBytes, m.nonce, m.ciphertext);
    if (!s.crypto_sign_verify_detached(m.sig, signed, this.dkPk)) return fail('SK_BAD_SIGNATURE');
    if (header.room !== this.room || header.epoch !== this.epoch) return fail('SK_WRONG_CHAIN');

    if (header.n < this.#next) {
      const mk = this.#skipped.get(header.n);
      if (!mk) return fail('SK_REPLAY');
      const plaintext = openPadded(m.ciphertext, m.headerBytes, m.nonce, mk);
      if (!plaintext) return fail('SK_DECRYPT_FAILED');
      this.#skipped.delete(header.n);
      s.memzero(mk);
      return ok({ plaintext, header });
    }
    if (header.n - this.#next > SENDER_KEYS.maxForwardJump) return fail('SK_TOO_FAR');

    // Walk the chain on copies; commit only if the message opens.
    const keepFrom = header.n - SENDER_KEYS.maxSkippedKeys;
    const newlySkipped: [number, Uint8Array][] = [];
    let ck: Uint8Array = this.#chainKey.slice();
    for (let i = this.#next; i < header.n; i++) {
      if (i >= keepFrom) newlySkipped.push([i, messageKey(ck)]);
      const following = nextChainKey(ck);
      s.memzero(ck);
      ck = following;
    }
    const mk = messageKey(ck);
    const following = nextChainKey(ck);
    s.memzero(ck);
    const plaintext = openPadded(m.ciphertext, m.headerBytes, m.nonce, mk);
    s.memzero(mk);
    if (!plaintext) {
      s.memzero(following);
      for (const [, key] of newlySkipped) s.memzero(key);
      return fail('SK_DECRYPT_FAILED');
    }
    s.memzero(this.#chainKey);
    this.#chainKey = following;
    this.#next = header.n + 1;
    for (const [i, key] of newlySkipped) this.#skipped.set(i, key);
    this.#evictSkipped();
    return ok({ plaintext, header });
  }

  /** Secret state (chain key and skipped keys) for the engine to store encrypted. */
  exportState(): Uint8Array {
    if (!this.#chainKey) throw new Error('parley/sender-keys: receiver is closed');
    const entries = Array.from(this.#skipped, ([n, key]) => concatBytes(u64(n), key));
    return encodeWire(
      WIRE_TYPE.senderKeyReceiverState,
      this.room,
      this.epoch,
      this.dkPk,
      this.#next,
      this.#chainKey,
      concatBytes(...entries),
    );
  }

  static importState(bytes: Uint8Array): Result<SenderKeyReceiver, SenderKeyStateError> {
    const f = decodeWire(bytes, WIRE_TYPE.senderKeyReceiverState, 6, STATE_MAX_BYTES);
    const room = readText(f?.[0], SENDER_KEYS.maxRoomIdBytes);
    const epoch = readU64(f?.[1]);
    const dkPk = readBytes(f?.[2], SIZES.publicKeyBytes);
    const n = readU64(f?.[3]);
    const chainKey = readBytes(f?.[4], CHAIN_KEY_BYTES);
    const skipped = f?.[5];
    if (
      room === null ||
      epoch === null ||
      !dkPk ||
      n === null ||
      !chainKey ||
      !skipped ||
      skipped.length % SKIPPED_ENTRY_BYTES !== 0 ||
      skipped.length / SKIPPED_ENTRY_BYTES > SENDER_KEYS.maxSkippedKeys
    ) {
      if (chainKey) sodium().memzero(chainKey);
      return fail('SK_STATE_INVALID');
    }
    const receiver = new SenderKeyReceiver({ room, epoch, dkPk, n, chainKey });
    sodium().memzero(chainKey);
    let previous = -1;
    for (let at = 0; at < skipped.length; at += SKIPPED_ENTRY_BYTES) {
      const index = readU64(skipped.subarray(at, at + 8));
      if (index === null || index <= previous || index >= n) {
        receiver.close();
        return fail('SK_STATE_INVALID');
      }
      previous = index;
      receiver.#skipped.set(index, skipped.slice(at + 8, at + SKIPPED_ENTRY_BYTES));
    }
    return ok(receiver);
  }

  close(): void {
    const s = sodium();
    if (this.#chainKey) s.memzero(this.#chainKey);
    this.#chainKey = null;
    for (const key of this.#skipped.values()) s.memzero(key);
    this.#skipped.clear();
  }

  #evictSkipped(): void {
    for (const [n, key] of this.#skipped) {
      if (this.#skipped.size <= SENDER_KEYS.maxSkippedKeys) break;
      sodium().memzero(key);
      this.#skipped.delete(n);
    }
  }
}
