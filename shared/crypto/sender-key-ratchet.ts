/**
 * The sender-key chain step and message opening shared by the sending chain
 * and the receivers (CRYPTO.md "Rooms: sender keys"):
 * MK_n = kdf(CK_n, 1, "sk_msg__"), CK_{n+1} = kdf(CK_n, 2, "sk_chain").
 */
import { openAead } from './aead.ts';
import { KDF_CONTEXT, SENDER_KEYS } from './constants.ts';
import { isWellFormedText, utf8 } from './encoding.ts';
import { sodium } from './sodium.ts';

export type SenderKeyError =
  | 'SK_MALFORMED'
  | 'SK_WRONG_SENDER'
  | 'SK_BAD_SIGNATURE'
  | 'SK_WRONG_CHAIN'
  | 'SK_REPLAY'
  | 'SK_TOO_FAR'
  | 'SK_DECRYPT_FAILED'
  | 'SK_CLOSED';

export type SenderKeyStateError = 'SK_STATE_INVALID';

/** Upper bound of an exported chain or receiver state (2 000 skipped keys of 40 bytes). */
export const SKIPPED_ENTRY_BYTES = 8 + 32;
export const STATE_MAX_BYTES = 1024 + SENDER_KEYS.maxSkippedKeys * SKIPPED_ENTRY_BYTES;

export function messageKey(ck: Uint8Array): Uint8Array {
  return sodium().crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT.senderKeyMessage, ck);
}

export function nextChainKey(ck: Uint8Array): Uint8Array {
  return sodium().crypto_kdf_derive_from_key(32, 2, KDF_CONTEXT.senderKeyChain, ck);
}

/** Opens and unpads a message body; null when anything fails. Wipes the padded copy. */
export function openPadded(
  ciphertext: Uint8Array,
  ad: Uint8Array,
  nonce: Uint8Array,
  mk: Uint8Array,
): Uint8Array | null {
  const s = sodium();
  const padded = openAead(mk, nonce, ciphertext, ad);
  if (!padded) return null;
  try {
    return s.unpad(padded, SENDER_KEYS.padBlockBytes);
  } catch {
    return null;
  } finally {
    s.memzero(padded);
  }
}

/** Local misuse (not wire input) throws. */
export function checkIds(room: string, epoch: number): void {
  if (!isWellFormedText(room) || utf8(room).length > SENDER_KEYS.maxRoomIdBytes) {
    throw new RangeError(
      'parley/sender-keys: room id must be well-formed text of at most 256 bytes',
    );
  }
  if (!Number.isSafeInteger(epoch) || epoch < 0) {
    throw new RangeError('parley/sender-keys: epoch must be a non-negative integer');
  }
}
