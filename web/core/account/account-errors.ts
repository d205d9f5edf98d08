/**
 * The one error type of the account boundary. Every failure of sign-up,
 * sign-in, unlock and key management is an AccountError with a stable code
 * from ACCOUNT_ERROR_CODES, the single list the UI translates. Relay errors
 * that reach this layer are folded into these codes (the relay's own code
 * stays on `relayCode` for logs and diagnostics).
 */
import type { RelayErrorCode } from '../relay-errors.ts';
import { RelayError } from '../relay-errors.ts';

export const ACCOUNT_ERROR_CODES = {
  USERNAME_INVALID: 'Usernames are 3–32 letters, digits, dots, dashes or underscores.',
  USERNAME_TAKEN: 'That username is taken.',
  PASSWORD_EMPTY: 'The password (or passphrase) is empty.',
  WRONG_PASSWORD: 'The username or password is wrong.',
  WRONG_RECOVERY_KEY: 'The username or recovery key is wrong.',
  RECOVERY_KEY_MALFORMED: 'That is not a recovery key (wrong length or characters).',
  RECOVERY_KEY_CHECKSUM: 'The recovery key has a typo (its checksum does not match).',
  KDF_PARAMS_TOO_WEAK:
    'The relay asked for password hashing weaker than Parley accepts; sign-in was refused.',
  KDF_PARAMS_TOO_COSTLY:
    'The relay asked for password hashing too costly for this device; sign-in was refused.',
  KDF_BAD_ALGORITHM: 'The relay asked for an unknown password hashing algorithm.',
  KDF_BAD_SALT: 'The relay sent a malformed password salt.',
  KDF_FAILED: 'Password hashing failed (not enough memory on this device).',
  BLOB_REJECTED:
    'The relay returned a key backup that does not belong to this account; it was refused.',
  RELAY_MISMATCH: "The relay's answers about this account contradict each other.",
  RATE_LIMITED: 'Too many attempts; wait a few minutes and try again.',
  DEVICE_LIMIT: 'This account has the maximum number of devices.',
  RELAY_UNAVAILABLE: 'The relay cannot be reached.',
  RELAY_PROTOCOL: 'The relay sent something that is not valid protocol.',
  RELAY_REFUSED: 'The relay refused the request.',
  NO_STORED_ACCOUNT: 'There is no account on this device.',
  WRONG_LOCAL_SECRET: 'That password or passphrase does not unlock this device.',
  LOCAL_SECRET_REQUIRED: 'Without a password, choose a local passphrase or "remember this device".',
  CURRENT_SECRET_REQUIRED: 'Enter the current password (or passphrase) first.',
  STORE_CORRUPT: 'The keys stored on this device are damaged or belong to another account.',
  STORE_UNAVAILABLE: 'This browser cannot store keys (IndexedDB or WebCrypto is unavailable).',
  SIGN_OUT_NOT_CONFIRMED: 'Sign-out wipes this device; it needs the user to confirm.',
} as const;

export type AccountErrorCode = keyof typeof ACCOUNT_ERROR_CODES;

export class AccountError extends Error {
  override readonly name = 'AccountError';
  readonly code: AccountErrorCode;
  /** The relay's code when the relay caused it. */
  readonly relayCode: RelayErrorCode | undefined;

  constructor(
    code: AccountErrorCode,
    message?: string,
    options?: { cause?: unknown; relayCode?: RelayErrorCode },
  ) {
    super(
      `parley/account: ${code}${message ? `: ${message}` : ''}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.relayCode = options?.relayCode;
  }
}

const UNAVAILABLE: ReadonlySet<RelayErrorCode> = new Set<RelayErrorCode>([
  'DISCONNECTED',
  'REQUEST_TIMEOUT',
  'NOT_CONNECTED',
  'CLOSED',
  'SHUTTING_DOWN',
  'TOO_MANY_CONNECTIONS',
  'INTERNAL',
]);

const PASSED_THROUGH: ReadonlyMap<RelayErrorCode, AccountErrorCode> = new Map<
  RelayErrorCode,
  AccountErrorCode
>([
  ['USERNAME_TAKEN', 'USERNAME_TAKEN'],
  ['RATE_LIMITED', 'RATE_LIMITED'],
  ['DEVICE_LIMIT', 'DEVICE_LIMIT'],
  ['RELAY_PROTOCOL', 'RELAY_PROTOCOL'],
]);

/**
 * Folds anything a relay call threw into an AccountError. `authFailed` is
 * what AUTH_FAILED means in the caller's step (a wrong password at
 * blob.fetch); elsewhere it is a refusal.
 */
export function accountErrorFrom(error: unknown, authFailed?: AccountErrorCode): AccountError {
  if (error instanceof AccountError) return error;
  if (!(error instanceof RelayError)) {
    return new AccountError('RELAY_REFUSED', 'unexpected failure', { cause: error });
  }
  const relayCode = error.code;
  const code: AccountErrorCode =
    relayCode === 'AUTH_FAILED' && authFailed
      ? authFailed
      : (PASSED_THROUGH.get(relayCode) ??
        (UNAVAILABLE.has(relayCode) ? 'RELAY_UNAVAILABLE' : 'RELAY_REFUSED'));
  return new AccountError(code, relayCode, { cause: error, relayCode });
}

/** Runs a relay call and rethrows its failure as an AccountError. */
export async function relayStep<T>(
  call: () => Promise<T>,
  authFailed?: AccountErrorCode,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw accountErrorFrom(error, authFailed);
  }
}
