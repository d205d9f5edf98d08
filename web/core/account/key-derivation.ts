/**
 * The expensive step of every password operation (Argon2id, ~150 ms and
 * 64 MiB at the defaults) behind a function the app can move into a Web
 * Worker: bytes in, bytes out, the same signature as
 * `derivePasswordKeysAsync`, which is the direct implementation Node and
 * tests use. A worker-backed implementation posts the four arguments (all
 * structured-cloneable) and resolves with the worker's Result.
 */
import {
  DEFAULT_PASSWORD_KDF_PARAMS,
  derivePasswordKeysAsync,
  encodePassword,
  PASSWORD_KDF_BOUNDS,
  type PasswordKdfBounds,
  type PasswordKdfError,
  type PasswordKdfParams,
  type PasswordKeys,
} from '../../../shared/crypto/password.ts';
import type { Result } from '../../../shared/crypto/result.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { AccountError } from './account-errors.ts';

export type KeyDerivation = (
  password: Uint8Array,
  salt: Uint8Array,
  params: PasswordKdfParams,
  bounds: PasswordKdfBounds,
) => Promise<Result<PasswordKeys, PasswordKdfError>>;

export interface AccountKdfOptions {
  /** Where Argon2id runs. Default: `derivePasswordKeysAsync` on this thread. */
  derive?: KeyDerivation;
  /** Parameters for new enrollments (sign-up, password change, local passphrase). */
  params?: PasswordKdfParams;
  /**
   * What parameters a relay may hand out (and we may use). Tests lower these
   * to keep Argon2id cheap; production code leaves them at the default.
   */
  bounds?: PasswordKdfBounds;
}

export interface ResolvedKdf {
  derive: KeyDerivation;
  params: PasswordKdfParams;
  bounds: PasswordKdfBounds;
}

export function resolveKdf(opts: AccountKdfOptions = {}): ResolvedKdf {
  return {
    derive: opts.derive ?? derivePasswordKeysAsync,
    params: opts.params ?? DEFAULT_PASSWORD_KDF_PARAMS,
    bounds: opts.bounds ?? PASSWORD_KDF_BOUNDS,
  };
}

/** Derives the three password keys or throws the KDF's code as an AccountError. */
export async function derivePasswordKeysOrThrow(
  kdf: ResolvedKdf,
  secret: string,
  salt: Uint8Array,
  params: PasswordKdfParams,
): Promise<PasswordKeys> {
  if (secret.length === 0) throw new AccountError('PASSWORD_EMPTY');
  const password = encodePassword(secret);
  try {
    const keys = await kdf.derive(password, salt, params, kdf.bounds);
    if (!keys.ok) throw new AccountError(keys.code);
    return keys.value;
  } finally {
    sodium().memzero(password);
  }
}

const WIRE_ALGORITHM = 'argon2id13';
/** libsodium's crypto_pwhash_ALG_ARGON2ID13; any other wire name maps to an id checkKdfParams refuses. */
const ARGON2ID13 = 2;
const UNKNOWN_ALGORITHM = -1;

export interface KdfParamsOnWire {
  alg: 'argon2id13';
  opslimit: number;
  memlimit: number;
}

export function kdfParamsToWire(params: PasswordKdfParams): KdfParamsOnWire {
  return { alg: WIRE_ALGORITHM, opslimit: params.opsLimit, memlimit: params.memLimitBytes };
}

export function kdfParamsFromWire(wire: {
  alg: string;
  opslimit: number;
  memlimit: number;
}): PasswordKdfParams {
  return {
    algorithm: wire.alg === WIRE_ALGORITHM ? ARGON2ID13 : UNKNOWN_ALGORITHM,
    opsLimit: wire.opslimit,
    memLimitBytes: wire.memlimit,
  };
}
