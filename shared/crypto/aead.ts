/**
 * XChaCha20-Poly1305 with a random 24-byte nonce stored in front of the
 * ciphertext: the one-shot AEAD used for everything sealed at rest (password
 * and recovery blobs, wrapped data keys, history records), and `openAead`,
 * the never-throwing open every other AEAD user shares. A 192-bit random
 * nonce never repeats in practice, so no counter has to be kept in storage.
 */
import { randomBytes } from './random.ts';
import { sodium } from './sodium.ts';

export const XNONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

/** nonce ‖ ciphertext ‖ tag. */
export function sealWithNonce(key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array): Uint8Array {
  const nonce = randomBytes(XNONCE_BYTES);
  const ct = sodium().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key);
  const out = new Uint8Array(XNONCE_BYTES + ct.length);
  out.set(nonce, 0);
  out.set(ct, XNONCE_BYTES);
  return out;
}

/** Inverse of `sealWithNonce`; null when the input is short, the key is wrong, or anything was altered. */
export function openWithNonce(
  key: Uint8Array,
  sealed: Uint8Array,
  ad: Uint8Array,
): Uint8Array | null {
  if (sealed.length < XNONCE_BYTES + AEAD_TAG_BYTES) return null;
  return openAead(key, sealed.subarray(0, XNONCE_BYTES), sealed.subarray(XNONCE_BYTES), ad);
}

/**
 * XChaCha20-Poly1305 decryption that never throws (libsodium.js throws on a
 * failed tag, a short input or a wrong-sized key): the one place the
 * protocol's AEAD opens, for blobs, handshake proofs and sender-key messages.
 */
export function openAead(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  ad: Uint8Array,
): Uint8Array | null {
  if (nonce.length !== XNONCE_BYTES || ciphertext.length < AEAD_TAG_BYTES) return null;
  try {
    return sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key);
  } catch {
    return null;
  }
}
