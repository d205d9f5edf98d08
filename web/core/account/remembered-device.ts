/**
 * "Remember this device" (CRYPTO.md "History at rest"): a second copy of the
 * at-rest keys sealed with AES-GCM under a WebCrypto key created
 * non-extractable and stored as a CryptoKey object in IndexedDB (structured
 * clone keeps it non-extractable). Script on this origin can still *use* the
 * key while the page runs, but nobody can read its bytes out — not from the
 * database files on disk, not from a backup, not by exporting it — so copying
 * the profile elsewhere does not carry the keys along.
 */
import type { AtRestKeys } from '../../../shared/crypto/at-rest.ts';
import { DOMAIN } from '../../../shared/crypto/constants.ts';
import { frame } from '../../../shared/crypto/encoding.ts';
import { randomBytes } from '../../../shared/crypto/random.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { AccountError } from './account-errors.ts';
import type { RememberedKeys } from './key-store.ts';

const AES_KEY_BITS = 256;
const GCM_IV_BYTES = 12;
const AT_REST_KEY_BYTES = 32;

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!s) throw new AccountError('STORE_UNAVAILABLE', 'no WebCrypto (needs a secure context)');
  return s;
}

function ad(scope: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(frame(DOMAIN.rememberedKeys, scope));
}

/** Seals the at-rest keys under a new non-extractable key; the caller stores the result. */
export async function rememberAtRestKeys(
  atRest: AtRestKeys,
  scope: string,
): Promise<RememberedKeys> {
  const key = await subtle().generateKey({ name: 'AES-GCM', length: AES_KEY_BITS }, false, [
    'encrypt',
    'decrypt',
  ]);
  const iv = new Uint8Array(randomBytes(GCM_IV_BYTES));
  const both = new Uint8Array(2 * AT_REST_KEY_BYTES);
  both.set(atRest.dek, 0);
  both.set(atRest.indexKey, AT_REST_KEY_BYTES);
  try {
    const sealed = await subtle().encrypt(
      { name: 'AES-GCM', iv, additionalData: ad(scope) },
      key,
      both,
    );
    return { key, iv, sealed: new Uint8Array(sealed) };
  } finally {
    sodium().memzero(both);
  }
}

/** The at-rest keys back, or null when the copy does not open (another account, tampering). */
export async function recallAtRestKeys(
  remembered: RememberedKeys,
  scope: string,
): Promise<AtRestKeys | null> {
  let opened: ArrayBuffer;
  try {
    opened = await subtle().decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(remembered.iv), additionalData: ad(scope) },
      remembered.key,
      new Uint8Array(remembered.sealed),
    );
  } catch {
    return null;
  }
  const both = new Uint8Array(opened);
  if (both.length !== 2 * AT_REST_KEY_BYTES) return null;
  const keys = { dek: both.slice(0, AT_REST_KEY_BYTES), indexKey: both.slice(AT_REST_KEY_BYTES) };
  sodium().memzero(both);
  return keys;
}
