/**
 * Password accounts (CRYPTO.md "Password accounts"): Argon2id turns the
 * password into a master key; from it come the auth key (its public half is
 * all the relay stores), the key that wraps the identity seed, and the key
 * that wraps the at-rest keys. The master and the wrap keys never leave the
 * client.
 *
 * Argon2id at 64 MiB takes ~150 ms and blocks its thread, so the expensive
 * step, `derivePasswordKeys`, is a pure function over byte arrays: the UI runs
 * it in a Web Worker and transfers the result back (every field is a
 * Uint8Array with its own buffer, so it can go in a transfer list).
 */
import { AEAD_TAG_BYTES, openWithNonce, sealWithNonce, XNONCE_BYTES } from './aead.ts';
import { DOMAIN, KDF_CONTEXT, PASSWORD_KDF, PASSWORD_SUBKEY_ID, SIZES } from './constants.ts';
import { frame, tryFrame, utf8 } from './encoding.ts';
import { type Identity, identityFromSeed, type SigningKeyPair } from './keys.ts';
import { randomBytes } from './random.ts';
import { fail, ok, type Result } from './result.ts';
import { loadSodium, sodium } from './sodium.ts';

/** Argon2id parameters, stored per account so they can be raised later. */
export interface PasswordKdfParams {
  /** libsodium algorithm id; only crypto_pwhash_ALG_ARGON2ID13 (2) is accepted. */
  algorithm: number;
  opsLimit: number;
  memLimitBytes: number;
}

/** Limits a client accepts for parameters it did not choose itself. */
export interface PasswordKdfBounds {
  minOpsLimit: number;
  maxOpsLimit: number;
  minMemLimitBytes: number;
  maxMemLimitBytes: number;
}

export type PasswordKdfError =
  | 'KDF_BAD_ALGORITHM'
  | 'KDF_PARAMS_TOO_WEAK'
  | 'KDF_PARAMS_TOO_COSTLY'
  | 'KDF_BAD_SALT'
  | 'PASSWORD_EMPTY'
  | 'KDF_FAILED';

export type IdentityUnwrapError =
  | 'IDWRAP_MALFORMED'
  | 'IDWRAP_DECRYPT_FAILED'
  | 'IDWRAP_WRONG_IDENTITY';

/** What the worker hands back: three independent 32-byte keys. */
export interface PasswordKeys {
  /** Seed of the Ed25519 auth key pair (`authKeyPair`). */
  authSeed: Uint8Array;
  /** Wraps the identity seed (the password blob). */
  idWrapKey: Uint8Array;
  /** Wraps the at-rest keys (at-rest.ts). */
  storageKey: Uint8Array;
}

/** Everything that binds a password blob to its account. */
export interface IdentityWrapContext {
  userId: string;
  ikPk: Uint8Array;
  salt: Uint8Array;
  params: PasswordKdfParams;
}

/** What the relay stores for a password account (all of it public or encrypted). */
export interface PasswordEnrollment {
  salt: Uint8Array;
  params: PasswordKdfParams;
  authPk: Uint8Array;
  /** nonce24 ‖ XChaCha20-Poly1305(IK seed). */
  idBlob: Uint8Array;
}

const ALG_ARGON2ID13 = 2;
/** Length of a wrapped seed: nonce ‖ seed ‖ tag. */
export const WRAPPED_SEED_BYTES = XNONCE_BYTES + SIZES.seedBytes + AEAD_TAG_BYTES;

export const DEFAULT_PASSWORD_KDF_PARAMS: PasswordKdfParams = {
  algorithm: ALG_ARGON2ID13,
  opsLimit: PASSWORD_KDF.defaultOpsLimit,
  memLimitBytes: PASSWORD_KDF.defaultMemLimitBytes,
};

export const PASSWORD_KDF_BOUNDS: PasswordKdfBounds = {
  minOpsLimit: PASSWORD_KDF.minOpsLimit,
  maxOpsLimit: PASSWORD_KDF.maxOpsLimit,
  minMemLimitBytes: PASSWORD_KDF.minMemLimitBytes,
  maxMemLimitBytes: PASSWORD_KDF.maxMemLimitBytes,
};

/**
 * Checks parameters handed out by the relay. A malicious relay could offer
 * ops=1/mem=8 KiB to make the blob cheap to brute-force from what the client
 * later sends, or 4 GiB to kill the tab; both are refused.
 */
export function checkKdfParams(
  params: PasswordKdfParams,
  bounds: PasswordKdfBounds = PASSWORD_KDF_BOUNDS,
): PasswordKdfError | null {
  if (params.algorithm !== sodium().crypto_pwhash_ALG_ARGON2ID13) return 'KDF_BAD_ALGORITHM';
  const { opsLimit, memLimitBytes } = params;
  if (!Number.isSafeInteger(opsLimit) || !Number.isSafeInteger(memLimitBytes)) {
    return 'KDF_PARAMS_TOO_WEAK';
  }
  if (opsLimit < bounds.minOpsLimit || memLimitBytes < bounds.minMemLimitBytes) {
    return 'KDF_PARAMS_TOO_WEAK';
  }
  if (opsLimit > bounds.maxOpsLimit || memLimitBytes > bounds.maxMemLimitBytes) {
    return 'KDF_PARAMS_TOO_COSTLY';
  }
  return null;
}

/**
 * Passwords are compared as bytes, so the same password typed on two systems
 * must give the same bytes: NFKC folds composed/decomposed and compatibility
 * forms (macOS keyboards produce NFD, others NFC).
 */
export function encodePassword(password: string): Uint8Array {
  return utf8(password.normalize('NFKC'));
}

export function newPasswordSalt(): Uint8Array {
  return randomBytes(PASSWORD_KDF.saltBytes);
}

/**
 * The expensive step: Argon2id(password, salt). The caller owns the result
 * and must `memzero` it; prefer `derivePasswordKeys`, which does.
 */
export function deriveMasterKey(
  password: Uint8Array,
  salt: Uint8Array,
  params: PasswordKdfParams,
  bounds: PasswordKdfBounds = PASSWORD_KDF_BOUNDS,
): Result<Uint8Array, PasswordKdfError> {
  const bad = checkKdfParams(params, bounds);
  if (bad) return fail(bad);
  if (salt.length !== PASSWORD_KDF.saltBytes) return fail('KDF_BAD_SALT');
  if (password.length === 0) return fail('PASSWORD_EMPTY');
  try {
    return ok(
      sodium().crypto_pwhash(
        PASSWORD_KDF.masterKeyBytes,
        password,
        salt,
        params.opsLimit,
        params.memLimitBytes,
        params.algorithm,
      ),
    );
  } catch {
    // libsodium fails here only when it cannot allocate the memory.
    return fail('KDF_FAILED');
  }
}

/**
 * Worker entry point: password bytes in, three subkeys out; the master key is
 * wiped before returning. `bounds` exists for tests that need a cheap KDF;
 * production code leaves it at the default.
 */
export function derivePasswordKeys(
  password: Uint8Array,
  salt: Uint8Array,
  params: PasswordKdfParams,
  bounds: PasswordKdfBounds = PASSWORD_KDF_BOUNDS,
): Result<PasswordKeys, PasswordKdfError> {
  const master = deriveMasterKey(password, salt, params, bounds);
  if (!master.ok) return master;
  const s = sodium();
  const subkey = (id: number, context: string) =>
    s.crypto_kdf_derive_from_key(32, id, context, master.value);
  const keys: PasswordKeys = {
    authSeed: subkey(PASSWORD_SUBKEY_ID.auth, KDF_CONTEXT.passwordAuth),
    idWrapKey: subkey(PASSWORD_SUBKEY_ID.wrap, KDF_CONTEXT.passwordWrap),
    storageKey: subkey(PASSWORD_SUBKEY_ID.storage, KDF_CONTEXT.passwordStorage),
  };
  s.memzero(master.value);
  return ok(keys);
}

/** For callers without a worker (tests, Node tools): loads sodium, then derives. */
export async function derivePasswordKeysAsync(
  password: Uint8Array,
  salt: Uint8Array,
  params: PasswordKdfParams,
  bounds: PasswordKdfBounds = PASSWORD_KDF_BOUNDS,
): Promise<Result<PasswordKeys, PasswordKdfError>> {
  await loadSodium();
  return derivePasswordKeys(password, salt, params, bounds);
}

/** The key pair that signs the relay challenge before the relay releases the blob. */
export function authKeyPair(keys: PasswordKeys): SigningKeyPair {
  const kp = sodium().crypto_sign_seed_keypair(keys.authSeed);
  return { publicKey: kp.publicKey, privateKey: kp.privateKey };
}

export function wipePasswordKeys(keys: PasswordKeys): void {
  const s = sodium();
  s.memzero(keys.authSeed);
  s.memzero(keys.idWrapKey);
  s.memzero(keys.storageKey);
}

/** Nested frame, so the params are one unambiguous AD field. */
function kdfParamsBytes(salt: Uint8Array, params: PasswordKdfParams): Uint8Array {
  return frame(params.algorithm, params.opsLimit, params.memLimitBytes, salt);
}

function idWrapAd(ctx: IdentityWrapContext): Uint8Array {
  return frame(DOMAIN.idWrap, ctx.userId, ctx.ikPk, kdfParamsBytes(ctx.salt, ctx.params));
}

export function wrapIdentitySeed(
  idWrapKey: Uint8Array,
  seed: Uint8Array,
  ctx: IdentityWrapContext,
): Uint8Array {
  if (seed.length !== SIZES.seedBytes)
    throw new RangeError('parley/password: seed must be 32 bytes');
  return sealWithNonce(idWrapKey, seed, idWrapAd(ctx));
}

/**
 * Opens the password blob and checks the seed yields the expected IK: a blob
 * that decrypts but holds another identity (a relay mixing up accounts, or an
 * old blob) is refused rather than silently becoming the user's identity.
 */
export function unwrapIdentitySeed(
  idWrapKey: Uint8Array,
  blob: Uint8Array,
  ctx: IdentityWrapContext,
): Result<Identity, IdentityUnwrapError> {
  if (blob.length !== WRAPPED_SEED_BYTES) return fail('IDWRAP_MALFORMED');
  const ad = tryFrame(() => idWrapAd(ctx));
  if (!ad) return fail('IDWRAP_MALFORMED');
  return identityFromUnwrapped(openWithNonce(idWrapKey, blob, ad), ctx.ikPk);
}

/** Shared tail of the password and recovery unwraps; wipes `seed`. */
export function identityFromUnwrapped(
  seed: Uint8Array | null,
  expectedIkPk: Uint8Array,
): Result<Identity, IdentityUnwrapError> {
  if (!seed) return fail('IDWRAP_DECRYPT_FAILED');
  const s = sodium();
  const identity = identityFromSeed(seed);
  s.memzero(seed);
  if (expectedIkPk.length !== SIZES.publicKeyBytes || !s.memcmp(identity.publicKey, expectedIkPk)) {
    s.memzero(identity.seed);
    s.memzero(identity.privateKey);
    return fail('IDWRAP_WRONG_IDENTITY');
  }
  return ok(identity);
}

/**
 * Sign-up and password change alike: a fresh salt and params go in with the
 * new keys, authPk is replaced, the identity seed is re-wrapped; IK stays.
 * Wipes `keys` (they were derived for this enrollment only).
 */
export function enrollPassword(
  keys: PasswordKeys,
  identity: Identity,
  userId: string,
  salt: Uint8Array,
  params: PasswordKdfParams,
): PasswordEnrollment {
  const auth = authKeyPair(keys);
  sodium().memzero(auth.privateKey);
  const idBlob = wrapIdentitySeed(keys.idWrapKey, identity.seed, {
    userId,
    ikPk: identity.publicKey,
    salt,
    params,
  });
  wipePasswordKeys(keys);
  return { salt: salt.slice(), params: { ...params }, authPk: auth.publicKey, idBlob };
}
