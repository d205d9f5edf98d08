/**
 * Recovery key (CRYPTO.md "Password accounts" step 6): 32 random bytes shown
 * once, wrapping a second copy of the identity seed so a forgotten password
 * does not lose the identity.
 *
 * Display format: the 32 key bytes plus a 3-byte checksum (35 bytes = 280
 * bits = exactly 56 characters) in Crockford base32, grouped by 4 with dashes:
 * `7Q2M-K0ZD-…`. Crockford's alphabet has no I, L, O or U; on input those
 * letters and case are forgiven (I/L → 1, O → 0) and dashes and spaces are
 * ignored. The checksum catches a typo before any crypto runs, so a typo is
 * reported as a typo and never as "wrong recovery key".
 */
import { openWithNonce, sealWithNonce } from './aead.ts';
import { DOMAIN, KDF_CONTEXT, PASSWORD_KDF, SIZES } from './constants.ts';
import { frame, tryFrame } from './encoding.ts';
import type { Identity } from './keys.ts';
import { type IdentityUnwrapError, identityFromUnwrapped, WRAPPED_SEED_BYTES } from './password.ts';
import { randomBytes } from './random.ts';
import { fail, ok, type Result } from './result.ts';
import { sodium } from './sodium.ts';

export type RecoveryKeyParseError = 'RECOVERY_KEY_MALFORMED' | 'RECOVERY_KEY_CHECKSUM';

export interface RecoveryWrapContext {
  userId: string;
  ikPk: Uint8Array;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUP_CHARS = 4;
const ENCODED_CHARS =
  ((PASSWORD_KDF.recoveryKeyBytes + PASSWORD_KDF.recoveryChecksumBytes) * 8) / 5;

const CROCKFORD_LOOKUP = new Int8Array(128).fill(-1);
for (let i = 0; i < CROCKFORD.length; i++) {
  CROCKFORD_LOOKUP[CROCKFORD.charCodeAt(i)] = i;
  CROCKFORD_LOOKUP[CROCKFORD.toLowerCase().charCodeAt(i)] = i;
}
for (const [alias, value] of [
  ['O', 0],
  ['o', 0],
  ['I', 1],
  ['i', 1],
  ['L', 1],
  ['l', 1],
] as const) {
  CROCKFORD_LOOKUP[alias.charCodeAt(0)] = value;
}

export function newRecoveryKey(): Uint8Array {
  return randomBytes(PASSWORD_KDF.recoveryKeyBytes);
}

function checksum(key: Uint8Array): Uint8Array {
  return sodium().crypto_generichash(
    PASSWORD_KDF.recoveryChecksumBytes,
    frame(DOMAIN.recoveryKeyChecksum, key),
    null,
  );
}

export function formatRecoveryKey(key: Uint8Array): string {
  if (key.length !== PASSWORD_KDF.recoveryKeyBytes) {
    throw new RangeError('parley/recovery-key: key must be 32 bytes');
  }
  const bytes = new Uint8Array(key.length + PASSWORD_KDF.recoveryChecksumBytes);
  bytes.set(key, 0);
  bytes.set(checksum(key), key.length);
  let chars = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      chars += CROCKFORD[(acc >> bits) & 31];
    }
  }
  sodium().memzero(bytes);
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += GROUP_CHARS) groups.push(chars.slice(i, i + GROUP_CHARS));
  return groups.join('-');
}

/** Parses what the user typed; a typo fails the checksum, never the AEAD. */
export function parseRecoveryKey(text: string): Result<Uint8Array, RecoveryKeyParseError> {
  const compact = text.replace(/[\s-]+/g, '');
  if (compact.length !== ENCODED_CHARS) return fail('RECOVERY_KEY_MALFORMED');
  const bytes = new Uint8Array(PASSWORD_KDF.recoveryKeyBytes + PASSWORD_KDF.recoveryChecksumBytes);
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < compact.length; i++) {
    const code = compact.charCodeAt(i);
    const v = code < 128 ? CROCKFORD_LOOKUP[code]! : -1;
    if (v < 0) return fail('RECOVERY_KEY_MALFORMED');
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[at++] = (acc >> bits) & 0xff;
    }
  }
  const key = bytes.slice(0, PASSWORD_KDF.recoveryKeyBytes);
  const given = bytes.subarray(PASSWORD_KDF.recoveryKeyBytes);
  const good = sodium().memcmp(checksum(key), given);
  sodium().memzero(bytes);
  if (!good) {
    sodium().memzero(key);
    return fail('RECOVERY_KEY_CHECKSUM');
  }
  return ok(key);
}

/** The raw recovery key is never an AEAD key itself: a KDF separates its uses. */
function recoveryWrapKey(recoveryKey: Uint8Array): Uint8Array {
  if (recoveryKey.length !== PASSWORD_KDF.recoveryKeyBytes) {
    throw new RangeError('parley/recovery-key: key must be 32 bytes');
  }
  return sodium().crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT.recoveryWrap, recoveryKey);
}

function recoveryAd(ctx: RecoveryWrapContext): Uint8Array {
  return frame(DOMAIN.recoveryWrap, ctx.userId, ctx.ikPk);
}

export function wrapIdentitySeedWithRecoveryKey(
  recoveryKey: Uint8Array,
  seed: Uint8Array,
  ctx: RecoveryWrapContext,
): Uint8Array {
  if (seed.length !== SIZES.seedBytes) {
    throw new RangeError('parley/recovery-key: seed must be 32 bytes');
  }
  const wrapKey = recoveryWrapKey(recoveryKey);
  const blob = sealWithNonce(wrapKey, seed, recoveryAd(ctx));
  sodium().memzero(wrapKey);
  return blob;
}

export function unwrapIdentitySeedWithRecoveryKey(
  recoveryKey: Uint8Array,
  blob: Uint8Array,
  ctx: RecoveryWrapContext,
): Result<Identity, IdentityUnwrapError> {
  if (blob.length !== WRAPPED_SEED_BYTES) return fail('IDWRAP_MALFORMED');
  if (recoveryKey.length !== PASSWORD_KDF.recoveryKeyBytes) return fail('IDWRAP_DECRYPT_FAILED');
  const ad = tryFrame(() => recoveryAd(ctx));
  if (!ad) return fail('IDWRAP_MALFORMED');
  const wrapKey = recoveryWrapKey(recoveryKey);
  const seed = openWithNonce(wrapKey, blob, ad);
  sodium().memzero(wrapKey);
  return identityFromUnwrapped(seed, ctx.ikPk);
}
