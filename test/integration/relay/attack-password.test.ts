/**
 * Attacks on password accounts (CRYPTO.md "Password accounts"): enumerating
 * usernames through prelogin, guessing online through blob.fetch (per
 * account and per address), and finding anything password-derived but the
 * auth public key in the relay's files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromB64, toB64 } from '../../../shared/crypto/encoding.ts';
import { newDeviceKey, type SigningKeyPair } from '../../../shared/crypto/keys.ts';
import {
  authKeyPair,
  deriveMasterKey,
  derivePasswordKeys,
  encodePassword,
  enrollPassword,
  newPasswordSalt,
  type PasswordKdfBounds,
  type PasswordKdfParams,
  unwrapIdentitySeed,
} from '../../../shared/crypto/password.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { RelayMessage } from '../../../shared/protocol/relay-messages.ts';
import { answer, codeOf, containsBytes, databaseBytes, RawClient } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  startTestRelay,
  TestClient,
  type TestRelay,
  uniqueUsername,
} from './harness.ts';

/** The cheapest Argon2id the relay's schema accepts, so the test stays fast. */
const CHEAP: PasswordKdfParams = { algorithm: 2, opsLimit: 2, memLimitBytes: 16 * 1024 * 1024 };
const CHEAP_BOUNDS: PasswordKdfBounds = {
  minOpsLimit: 2,
  maxOpsLimit: 2,
  minMemLimitBytes: 16 * 1024 * 1024,
  maxMemLimitBytes: 16 * 1024 * 1024,
};
const KDF_WIRE = { alg: 'argon2id13', opslimit: 3, memlimit: 64 * 1024 * 1024 } as const;

let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay({ blobAttemptsPerAccount: 1_000, blobAttemptsPerIp: 1_000 });
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

async function setPassword(user: ConnectedDevice, authKey: SigningKeyPair): Promise<void> {
  await user.client.expect('ok', {
    t: 'password.set',
    authPk: toB64(authKey.publicKey),
    salt: toB64(sodium().randombytes_buf(16)),
    kdf: KDF_WIRE,
    blob: toB64(sodium().randombytes_buf(72)),
  });
}

async function prelogin(on: TestRelay, username: string): Promise<RelayMessage> {
  const c = await TestClient.open(on);
  await c.hello();
  const reply = await c.request({ t: 'prelogin', username });
  await c.close();
  return reply;
}

/** One blob.fetch attempt on a fresh socket from `localAddress`. */
async function guess(
  on: TestRelay,
  username: string,
  key: SigningKeyPair,
  localAddress = '127.0.0.1',
): Promise<RelayMessage> {
  const c = await RawClient.open(on.wsUrl, { localAddress });
  const challenge = await c.hello();
  const reply = await c.request({
    t: 'blob.fetch',
    username,
    kind: 'password',
    ...answer(challenge, key, on.origin),
  });
  expect(c.schemaErrors).toEqual([]);
  c.close();
  return reply;
}

function shapeOf(reply: RelayMessage) {
  if (reply.t !== 'prelogin.ok') throw new Error(`expected prelogin.ok, got ${reply.t}`);
  return {
    keys: Object.keys(reply).sort(),
    kdfKeys: Object.keys(reply.kdf).sort(),
    kdfTypes: Object.values(reply.kdf).map((x) => typeof x),
    saltBytes: fromB64(reply.salt).length,
    saltChars: reply.salt.length,
  };
}

describe('prelogin does not enumerate usernames', () => {
  it('a user with a password, one without, and an unknown name get answers of the same shape', async () => {
    const withPw = await connectDevice(relay);
    await setPassword(withPw, newDeviceKey());
    const withoutPw = await connectDevice(relay);
    const shapes = await Promise.all(
      [withPw.keys.username, withoutPw.keys.username, uniqueUsername('ghost')].map(async (name) =>
        shapeOf(await prelogin(relay, name)),
      ),
    );
    expect(shapes[1]).toEqual(shapes[0]);
    expect(shapes[2]).toEqual(shapes[0]);
    expect(shapes[0]?.saltBytes).toBe(16);
    await Promise.all([withPw.client.close(), withoutPw.client.close()]);
  });

  it('an unknown name gets one fake salt: every call, any letter case, and after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-attack-pw-'));
    const first = await startTestRelay({ dataDir });
    const name = uniqueUsername('nobody');
    const a = await prelogin(first, name);
    const b = await prelogin(first, name);
    const upper = await prelogin(first, name.toUpperCase());
    const other = await prelogin(first, uniqueUsername('nobody'));
    await first.close();
    const second = await startTestRelay({ dataDir });
    const afterRestart = await prelogin(second, name);
    await second.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(b).toEqual(a);
    expect(upper).toEqual(a);
    expect(afterRestart).toEqual(a);
    expect(other).not.toEqual(a);
  });

  it('a wrong key, an unknown user and a missing recovery blob fail identically', async () => {
    const user = await connectDevice(relay);
    await setPassword(user, newDeviceKey());
    const wrong = await guess(relay, user.keys.username, newDeviceKey());
    const unknown = await guess(relay, uniqueUsername('ghost'), newDeviceKey());
    const c = await RawClient.open(relay.wsUrl);
    const ch = await c.hello();
    const noRecovery = await c.request({
      t: 'blob.fetch',
      username: user.keys.username,
      kind: 'recovery',
      ...answer(ch, newDeviceKey(), relay.origin),
    });
    c.close();
    const strip = (m: RelayMessage) => ({ ...m, ref: undefined });
    expect(strip(wrong)).toMatchObject({ t: 'error', code: 'AUTH_FAILED' });
    expect(strip(unknown)).toEqual(strip(wrong));
    expect(strip(noRecovery)).toEqual(strip(wrong));
    await user.client.close();
  });

  it('a released blob.fetch answer cannot be replayed on another socket', async () => {
    const user = await connectDevice(relay);
    const authKey = newDeviceKey();
    await setPassword(user, authKey);
    const victim = await RawClient.open(relay.wsUrl);
    const ch = await victim.hello();
    const msg = {
      t: 'blob.fetch',
      username: user.keys.username,
      kind: 'password',
      ...answer(ch, authKey, relay.origin),
    };
    expect((await victim.request(msg)).t).toBe('blob.ok');
    const attacker = await RawClient.open(relay.wsUrl);
    await attacker.hello();
    expect(codeOf(await attacker.request(msg))).toBe('CHALLENGE_UNKNOWN');
    victim.close();
    attacker.close();
    await user.client.close();
  });
});

describe('online guessing is rate limited', () => {
  it('guesses for one account hit RATE_LIMITED, and then even the right key from another address is refused', async () => {
    const strict = await startTestRelay({ blobAttemptsPerAccount: 3, blobAttemptsPerIp: 1_000 });
    const user = await connectDevice(strict);
    const authKey = newDeviceKey();
    await setPassword(user, authKey);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(codeOf(await guess(strict, user.keys.username, newDeviceKey())));
    expect(codes).toEqual([
      'AUTH_FAILED',
      'AUTH_FAILED',
      'AUTH_FAILED',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    // The attacker moves to another address: the account's budget is spent.
    expect(codeOf(await guess(strict, user.keys.username, authKey, '127.0.0.2'))).toBe(
      'RATE_LIMITED',
    );
    // Case games do not give a fresh budget either.
    expect(
      codeOf(await guess(strict, user.keys.username.toUpperCase(), authKey, '127.0.0.3')),
    ).toBe('RATE_LIMITED');
    // Another account is unaffected.
    const other = await connectDevice(strict);
    const otherKey = newDeviceKey();
    await setPassword(other, otherKey);
    expect((await guess(strict, other.keys.username, otherKey)).t).toBe('blob.ok');
    await Promise.all([user.client.close(), other.client.close()]);
    await strict.destroy();
  });

  it('guesses from one address across many accounts hit RATE_LIMITED; another address is not blocked', async () => {
    const strict = await startTestRelay({ blobAttemptsPerAccount: 1_000, blobAttemptsPerIp: 3 });
    const user = await connectDevice(strict);
    const authKey = newDeviceKey();
    await setPassword(user, authKey);
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(codeOf(await guess(strict, uniqueUsername('spray'), newDeviceKey(), '127.0.0.5')));
    }
    expect(codes).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED', 'RATE_LIMITED']);
    expect(codeOf(await guess(strict, user.keys.username, authKey, '127.0.0.5'))).toBe(
      'RATE_LIMITED',
    );
    expect((await guess(strict, user.keys.username, authKey, '127.0.0.6')).t).toBe('blob.ok');
    await user.client.close();
    await strict.destroy();
  });
});

describe('the relay holds nothing a password can be recovered from', () => {
  it('after enrolment and sign-in, no password-derived secret is in the database files', async () => {
    const user = await connectDevice(relay);
    const password = `correct horse ${toB64(sodium().randombytes_buf(9))}`;
    const salt = newPasswordSalt();
    const master = deriveMasterKey(encodePassword(password), salt, CHEAP, CHEAP_BOUNDS);
    const derived = derivePasswordKeys(encodePassword(password), salt, CHEAP, CHEAP_BOUNDS);
    if (!master.ok || !derived.ok) throw new Error('KDF failed');
    const secrets = {
      password: encodePassword(password),
      master: master.value,
      authSeed: derived.value.authSeed.slice(),
      authSecretKey: authKeyPair(derived.value).privateKey,
      idWrapKey: derived.value.idWrapKey.slice(),
      storageKey: derived.value.storageKey.slice(),
      ikSeed: user.keys.identity.seed,
      ikSecretKey: user.keys.identity.privateKey,
      dkSecretKey: user.keys.device.privateKey,
    };
    const auth = authKeyPair(derived.value);
    const enrolment = enrollPassword(derived.value, user.keys.identity, user.userId, salt, CHEAP);
    await user.client.expect('ok', {
      t: 'password.set',
      authPk: toB64(enrolment.authPk),
      salt: toB64(enrolment.salt),
      kdf: { alg: 'argon2id13', opslimit: CHEAP.opsLimit, memlimit: CHEAP.memLimitBytes },
      blob: toB64(enrolment.idBlob),
    });
    // Sign in from a "new browser": the blob comes back and unwraps to the IK.
    const released = await guess(relay, user.keys.username, auth);
    if (released.t !== 'blob.ok')
      throw new Error(`expected blob.ok, got ${JSON.stringify(released)}`);
    const opened = unwrapIdentitySeed(secrets.idWrapKey, fromB64(released.blob), {
      userId: released.userId,
      ikPk: fromB64(released.ik),
      salt: fromB64(released.salt!),
      params: CHEAP,
    });
    expect(opened.ok).toBe(true);

    const files = databaseBytes(relay);
    for (const [name, bytes] of Object.entries(secrets)) {
      expect(containsBytes(files, bytes), `${name} found in the relay database`).toBe(false);
      expect(files.includes(toB64(bytes)), `${name} (base64) found in the relay database`).toBe(
        false,
      );
    }
    expect(files.includes(password)).toBe(false);
    // What it does hold is public: the auth public key.
    expect(containsBytes(files, enrolment.authPk)).toBe(true);
    await user.client.close();
  });
});
