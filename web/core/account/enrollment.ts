/**
 * The two backups the relay keeps of an identity seed, both opaque to it:
 * the password blob (password.set: auth public key, salt, KDF params, seed
 * wrapped under the password's wrap key) and the recovery blob (recovery.set:
 * the recovery key's auth public key, seed wrapped under the recovery key).
 * Both need a logged-in socket of the account.
 */
import { toB64 } from '../../../shared/crypto/encoding.ts';
import type { Identity } from '../../../shared/crypto/keys.ts';
import {
  enrollPassword,
  type PasswordKdfParams,
  type PasswordKeys,
} from '../../../shared/crypto/password.ts';
import {
  formatRecoveryKey,
  newRecoveryKey,
  wrapIdentitySeedWithRecoveryKey,
} from '../../../shared/crypto/recovery-key.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { RelayClient } from '../relay-client.ts';
import { relayStep } from './account-errors.ts';
import { kdfParamsToWire } from './key-derivation.ts';
import { recoveryAuthKeyPair } from './recovery-auth.ts';

/** Sends the password blob; wipes `keys` (enrollPassword does). */
export async function enrollPasswordAtRelay(
  relay: RelayClient,
  keys: PasswordKeys,
  identity: Identity,
  userId: string,
  salt: Uint8Array,
  params: PasswordKdfParams,
): Promise<void> {
  const enrollment = enrollPassword(keys, identity, userId, salt, params);
  await relayStep(() =>
    relay.call(
      {
        t: 'password.set',
        authPk: toB64(enrollment.authPk),
        salt: toB64(enrollment.salt),
        kdf: kdfParamsToWire(enrollment.params),
        blob: toB64(enrollment.idBlob),
      },
      'ok',
    ),
  );
}

/**
 * Makes a new recovery key, stores its blob at the relay (replacing any
 * earlier one, which then stops working) and returns the key's display
 * text: the only time it exists outside the user's hands.
 */
export async function enrollRecoveryKeyAtRelay(
  relay: RelayClient,
  identity: Identity,
  userId: string,
): Promise<string> {
  const recoveryKey = newRecoveryKey();
  try {
    const blob = wrapIdentitySeedWithRecoveryKey(recoveryKey, identity.seed, {
      userId,
      ikPk: identity.publicKey,
    });
    const auth = recoveryAuthKeyPair(recoveryKey);
    sodium().memzero(auth.privateKey);
    await relayStep(() =>
      relay.call({ t: 'recovery.set', authPk: toB64(auth.publicKey), blob: toB64(blob) }, 'ok'),
    );
    return formatRecoveryKey(recoveryKey);
  } finally {
    sodium().memzero(recoveryKey);
  }
}
