/**
 * Sign-in on a new device (CRYPTO.md "Password accounts", steps 1–5): the
 * relay hands out the salt and KDF parameters; the client refuses weak ones
 * (a malicious relay would use them to make an offline guess cheap), derives
 * the auth key, signs a fresh challenge with it, and only then gets the
 * wrapped identity seed. The seed must open under the wrap key *and* yield
 * the IK the relay claims for that user id, or the blob is refused. Then a
 * fresh device key is certified by the recovered IK and added.
 *
 * The recovery key takes the same path with its own auth key and blob.
 * Nothing is stored on this device until every check has passed, so a wrong
 * password, a wrong recovery key or a lying relay leaves nothing behind.
 */
import { newAtRestKeys } from '../../../shared/crypto/at-rest.ts';
import { fromB64, toB64 } from '../../../shared/crypto/encoding.ts';
import type { Identity, SigningKeyPair } from '../../../shared/crypto/keys.ts';
import {
  authKeyPair,
  checkKdfParams,
  type PasswordKdfParams,
  unwrapIdentitySeed,
  wipePasswordKeys,
} from '../../../shared/crypto/password.ts';
import {
  parseRecoveryKey,
  unwrapIdentitySeedWithRecoveryKey,
} from '../../../shared/crypto/recovery-key.ts';
import { challengeToWire, signRelayChallenge } from '../../../shared/crypto/relay-auth.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import type { RelayMessageOf } from '../../../shared/protocol/relay-messages.ts';
import type { RelayClient } from '../relay-client.ts';
import { type AccountSession, makeAccount, newDeviceFor, wipeNewDevice } from './account.ts';
import { AccountError, type AccountErrorCode, relayStep } from './account-errors.ts';
import { checkUsername } from './create-account.ts';
import { saveDevice } from './device-vault.ts';
import { enrollPasswordAtRelay } from './enrollment.ts';
import {
  type AccountKdfOptions,
  derivePasswordKeysOrThrow,
  kdfParamsFromWire,
  type ResolvedKdf,
  resolveKdf,
} from './key-derivation.ts';
import type { KeyStore, VaultProtector } from './key-store.ts';
import { type PreparedProtector, prepareProtector, wipeProtector } from './protector.ts';
import { recoveryAuthKeyPair } from './recovery-auth.ts';

interface SignInCommon {
  relay: RelayClient;
  store: KeyStore;
  username: string;
  rememberDevice?: boolean;
  kdf?: AccountKdfOptions;
  now?: () => number;
}

export interface PasswordSignInOptions extends SignInCommon {
  password: string;
}

export interface RecoverySignInOptions extends SignInCommon {
  /** As the user typed it (dashes, spaces and case are forgiven). */
  recoveryKey: string;
  /** Sets a new account password (the usual reason to use the recovery key). */
  newPassword?: string;
  /** Without a new password: protects this device only. */
  localPassphrase?: string;
}

type Blob = RelayMessageOf<'blob.ok'>;

async function fetchBlob(
  relay: RelayClient,
  username: string,
  kind: Blob['kind'],
  auth: SigningKeyPair,
  wrong: AccountErrorCode,
): Promise<Blob> {
  try {
    const challenge = await relayStep(() => relay.freshChallenge());
    const sig = signRelayChallenge(relay.origin, challenge, auth);
    const blob = await relayStep(
      () =>
        relay.call(
          {
            t: 'blob.fetch',
            username,
            kind,
            challenge: challengeToWire(challenge),
            sig: toB64(sig),
          },
          'blob.ok',
        ),
      wrong,
    );
    if (blob.kind !== kind) throw new AccountError('RELAY_MISMATCH', 'blob of another kind');
    return blob;
  } finally {
    sodium().memzero(auth.privateKey);
  }
}

function sameParams(blob: Blob, salt: Uint8Array, params: PasswordKdfParams): boolean {
  if (!blob.salt && !blob.kdf) return true;
  if (!blob.salt || !blob.kdf) return false;
  const theirs = kdfParamsFromWire(blob.kdf);
  return (
    blob.salt === toB64(salt) &&
    theirs.algorithm === params.algorithm &&
    theirs.opsLimit === params.opsLimit &&
    theirs.memLimitBytes === params.memLimitBytes
  );
}

function blobBytes(text: string): Uint8Array {
  try {
    return fromB64(text);
  } catch {
    throw new AccountError('BLOB_REJECTED', 'malformed blob');
  }
}

/**
 * Certifies a fresh device with the recovered identity, adds it, checks the
 * relay's answer matches the blob's claims, and saves the device locally.
 */
async function addThisDevice(
  opts: SignInCommon,
  identity: Identity,
  blob: Blob,
  prepared: PreparedProtector,
): Promise<AccountSession> {
  const fresh = newDeviceFor(identity, (opts.now ?? Date.now)());
  let authed: RelayMessageOf<'authed'>;
  try {
    authed = await relayStep(() =>
      opts.relay.addDevice({ device: fresh.device, cert: fresh.cert, spk: fresh.prekey }),
    );
  } catch (error) {
    wipeNewDevice(fresh);
    throw error;
  }
  if (
    authed.userId !== blob.userId ||
    authed.username.toLowerCase() !== opts.username.toLowerCase() ||
    authed.deviceId !== fresh.cert.deviceId
  ) {
    wipeNewDevice(fresh);
    opts.relay.close();
    throw new AccountError('RELAY_MISMATCH', 'device added to another account');
  }
  const account = makeAccount({
    username: authed.username,
    userId: authed.userId,
    deviceId: fresh.cert.deviceId,
    identity,
    device: fresh.device,
    cert: fresh.cert,
    prekeys: { current: fresh.prekey, retired: [] },
  });
  const session: AccountSession = { account, atRest: newAtRestKeys() };
  await saveDevice(opts.store, session, {
    protector: prepared.protector,
    storageKey: prepared.storageKey,
    remember: opts.rememberDevice ?? false,
  });
  return session;
}

/** A recovered identity that does not become an account is wiped, not left in memory. */
async function addThisDeviceOrWipe(
  opts: SignInCommon,
  identity: Identity,
  blob: Blob,
  prepared: PreparedProtector,
): Promise<AccountSession> {
  try {
    return await addThisDevice(opts, identity, blob, prepared);
  } catch (error) {
    sodium().memzero(identity.seed);
    sodium().memzero(identity.privateKey);
    throw error;
  }
}

async function preloginParams(
  relay: RelayClient,
  username: string,
  kdf: ResolvedKdf,
): Promise<{ salt: Uint8Array; params: PasswordKdfParams }> {
  await relayStep(() => relay.connect());
  const pre = await relayStep(() => relay.call({ t: 'prelogin', username }, 'prelogin.ok'));
  const params = kdfParamsFromWire(pre.kdf);
  const refused = checkKdfParams(params, kdf.bounds);
  if (refused) throw new AccountError(refused, 'refusing the relay-chosen KDF parameters');
  let salt: Uint8Array;
  try {
    salt = fromB64(pre.salt);
  } catch {
    throw new AccountError('KDF_BAD_SALT');
  }
  return { salt, params };
}

export async function signInWithPassword(opts: PasswordSignInOptions): Promise<AccountSession> {
  checkUsername(opts.username);
  if (opts.password.length === 0) throw new AccountError('PASSWORD_EMPTY');
  await loadSodium();
  const kdf = resolveKdf(opts.kdf);
  const { salt, params } = await preloginParams(opts.relay, opts.username, kdf);
  const keys = await derivePasswordKeysOrThrow(kdf, opts.password, salt, params);
  const protector: VaultProtector = { kind: 'password', salt, params };
  const prepared: PreparedProtector = {
    protector,
    storageKey: keys.storageKey.slice(),
    passwordKeys: null,
  };
  try {
    const blob = await fetchBlob(
      opts.relay,
      opts.username,
      'password',
      authKeyPair(keys),
      'WRONG_PASSWORD',
    );
    if (!sameParams(blob, salt, params)) {
      throw new AccountError('RELAY_MISMATCH', 'blob salt or params differ from prelogin');
    }
    const identity = unwrapIdentitySeed(keys.idWrapKey, blobBytes(blob.blob), {
      userId: blob.userId,
      ikPk: blobBytes(blob.ik),
      salt,
      params,
    });
    if (!identity.ok) throw new AccountError('BLOB_REJECTED', identity.code);
    return await addThisDeviceOrWipe(opts, identity.value, blob, prepared);
  } finally {
    wipePasswordKeys(keys);
    wipeProtector(prepared);
  }
}

export async function signInWithRecoveryKey(opts: RecoverySignInOptions): Promise<AccountSession> {
  checkUsername(opts.username);
  await loadSodium();
  const parsed = parseRecoveryKey(opts.recoveryKey);
  if (!parsed.ok) throw new AccountError(parsed.code);
  const recoveryKey = parsed.value;
  const kdf = resolveKdf(opts.kdf);
  let prepared: PreparedProtector | null = null;
  try {
    prepared = await prepareProtector(kdf, {
      password: opts.newPassword,
      localPassphrase: opts.localPassphrase,
      rememberDevice: opts.rememberDevice,
    });
    await relayStep(() => opts.relay.connect());
    const blob = await fetchBlob(
      opts.relay,
      opts.username,
      'recovery',
      recoveryAuthKeyPair(recoveryKey),
      'WRONG_RECOVERY_KEY',
    );
    const identity = unwrapIdentitySeedWithRecoveryKey(recoveryKey, blobBytes(blob.blob), {
      userId: blob.userId,
      ikPk: blobBytes(blob.ik),
    });
    if (!identity.ok) throw new AccountError('BLOB_REJECTED', identity.code);
    const session = await addThisDeviceOrWipe(opts, identity.value, blob, prepared);
    if (prepared.passwordKeys && prepared.protector.kind === 'password') {
      const keys = prepared.passwordKeys;
      prepared.passwordKeys = null;
      await enrollPasswordAtRelay(
        opts.relay,
        keys,
        session.account.identity,
        session.account.userId,
        prepared.protector.salt,
        prepared.protector.params,
      );
    }
    return session;
  } finally {
    sodium().memzero(recoveryKey);
    if (prepared) wipeProtector(prepared);
  }
}
