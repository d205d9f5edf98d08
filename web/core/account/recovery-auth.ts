/**
 * The recovery key's auth key pair: the relay releases the recovery copy of
 * the identity seed only to a challenge signed by it (blob.fetch kind
 * `recovery`), exactly as the password copy needs the password auth key.
 * Derived, never the raw key, so the key that signs and the key that
 * unwraps are independent (recovery-key.ts derives the wrap key with its own
 * context).
 */
import { KDF_CONTEXT, SIZES } from '../../../shared/crypto/constants.ts';
import type { SigningKeyPair } from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';

const RECOVERY_AUTH_SUBKEY_ID = 1;

export function recoveryAuthKeyPair(recoveryKey: Uint8Array): SigningKeyPair {
  const s = sodium();
  const seed = s.crypto_kdf_derive_from_key(
    SIZES.seedBytes,
    RECOVERY_AUTH_SUBKEY_ID,
    KDF_CONTEXT.recoveryAuth,
    recoveryKey,
  );
  const kp = s.crypto_sign_seed_keypair(seed);
  s.memzero(seed);
  return { publicKey: kp.publicKey, privateKey: kp.privateKey };
}
