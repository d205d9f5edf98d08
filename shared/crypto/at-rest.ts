/**
 * History at rest (CRYPTO.md "History at rest"): every IndexedDB record is
 * sealed under the data key (DEK) with AD = store ‖ primaryKey ‖ schemaVersion,
 * so a record copied to another key or store, or replayed under another
 * schema version, fails to open instead of showing the wrong conversation.
 * Lookups that need an index use a blind index (keyed hash), never plaintext.
 *
 * The DEK and the blind-index key are random and wrapped together under a key
 * derived from the account password master (`PasswordKeys.storageKey`) or,
 * for an account without one, a local passphrase through the same Argon2id
 * derivation (`deriveLocalStorageKey`).
 */
import { AEAD_TAG_BYTES, openWithNonce, sealWithNonce, XNONCE_BYTES } from './aead.ts';
import { DOMAIN } from './constants.ts';
import { frame, tryFrame } from './encoding.ts';
import {
  derivePasswordKeys,
  PASSWORD_KDF_BOUNDS,
  type PasswordKdfBounds,
  type PasswordKdfError,
  type PasswordKdfParams,
} from './password.ts';
import { randomBytes } from './random.ts';
import { fail, ok, type Result } from './result.ts';
import { sodium } from './sodium.ts';

const KEY_BYTES = 32;
const BLIND_INDEX_BYTES = 16;

export interface AtRestKeys {
  /** Encrypts records (XChaCha20-Poly1305). */
  dek: Uint8Array;
  /** Keys the blind index; separate from the DEK so no key serves two primitives. */
  indexKey: Uint8Array;
}

export type RecordOpenError = 'RECORD_MALFORMED' | 'RECORD_DECRYPT_FAILED';
export type KeyUnwrapError = 'DEK_WRAP_MALFORMED' | 'DEK_UNWRAP_FAILED';

export function newDataKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

export function newAtRestKeys(): AtRestKeys {
  return { dek: newDataKey(), indexKey: randomBytes(KEY_BYTES) };
}

export function wipeAtRestKeys(keys: AtRestKeys): void {
  sodium().memzero(keys.dek);
  sodium().memzero(keys.indexKey);
}

function recordAd(store: string, primaryKey: string, schemaVersion: number): Uint8Array {
  return frame(store, primaryKey, schemaVersion);
}

/** nonce24 ‖ ciphertext. `primaryKey` is the record's IndexedDB key as a string. */
export function encryptRecord(
  dek: Uint8Array,
  store: string,
  primaryKey: string,
  schemaVersion: number,
  plaintext: Uint8Array,
): Uint8Array {
  return sealWithNonce(dek, plaintext, recordAd(store, primaryKey, schemaVersion));
}

export function decryptRecord(
  dek: Uint8Array,
  store: string,
  primaryKey: string,
  schemaVersion: number,
  sealed: Uint8Array,
): Result<Uint8Array, RecordOpenError> {
  if (sealed.length < XNONCE_BYTES + AEAD_TAG_BYTES || dek.length !== KEY_BYTES) {
    return fail('RECORD_MALFORMED');
  }
  const ad = tryFrame(() => recordAd(store, primaryKey, schemaVersion));
  if (!ad) return fail('RECORD_MALFORMED');
  const plaintext = openWithNonce(dek, sealed, ad);
  return plaintext ? ok(plaintext) : fail('RECORD_DECRYPT_FAILED');
}

/**
 * Equal conversation ids give equal indexes under one key, and nothing
 * without the key: the database can be queried by conversation without
 * storing which conversation a record belongs to.
 */
export function blindIndex(indexKey: Uint8Array, convId: string): Uint8Array {
  return sodium().crypto_generichash(BLIND_INDEX_BYTES, convId, indexKey);
}

/**
 * `scope` names whose keys these are (e.g. userId ‖ deviceId): the wrapped
 * keys of one account cannot be swapped into another's database.
 */
export function wrapAtRestKeys(wrapKey: Uint8Array, keys: AtRestKeys, scope: string): Uint8Array {
  const both = new Uint8Array(2 * KEY_BYTES);
  both.set(keys.dek, 0);
  both.set(keys.indexKey, KEY_BYTES);
  const blob = sealWithNonce(wrapKey, both, frame(DOMAIN.dataKeyWrap, scope));
  sodium().memzero(both);
  return blob;
}

export function unwrapAtRestKeys(
  wrapKey: Uint8Array,
  blob: Uint8Array,
  scope: string,
): Result<AtRestKeys, KeyUnwrapError> {
  if (blob.length !== XNONCE_BYTES + 2 * KEY_BYTES + AEAD_TAG_BYTES) {
    return fail('DEK_WRAP_MALFORMED');
  }
  const ad = tryFrame(() => frame(DOMAIN.dataKeyWrap, scope));
  if (!ad) return fail('DEK_WRAP_MALFORMED');
  const both = openWithNonce(wrapKey, blob, ad);
  if (!both) return fail('DEK_UNWRAP_FAILED');
  const keys = { dek: both.slice(0, KEY_BYTES), indexKey: both.slice(KEY_BYTES) };
  sodium().memzero(both);
  return ok(keys);
}

/**
 * Wrap key from a local passphrase (no account password): the same Argon2id
 * derivation and bounds as the account password, keeping only the storage
 * subkey. Expensive: run it where `derivePasswordKeys` runs (a worker).
 */
export function deriveLocalStorageKey(
  passphrase: Uint8Array,
  salt: Uint8Array,
  params: PasswordKdfParams,
  bounds: PasswordKdfBounds = PASSWORD_KDF_BOUNDS,
): Result<Uint8Array, PasswordKdfError> {
  const keys = derivePasswordKeys(passphrase, salt, params, bounds);
  if (!keys.ok) return keys;
  sodium().memzero(keys.value.authSeed);
  sodium().memzero(keys.value.idWrapKey);
  return ok(keys.value.storageKey);
}
