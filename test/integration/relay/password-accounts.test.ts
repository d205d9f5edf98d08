import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { newDeviceKey, type SigningKeyPair } from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  startTestRelay,
  TestClient,
  type TestRelay,
  uniqueUsername,
} from './harness.ts';

let relay: TestRelay;
beforeAll(async () => {
  relay = await startTestRelay({ blobAttemptsPerAccount: 5, blobAttemptsPerIp: 1000 });
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

const KDF = { alg: 'argon2id13', opslimit: 3, memlimit: 64 * 1024 * 1024 } as const;

/** The client side of a password account, minus Argon2id: an auth key and an opaque blob. */
async function withPassword(user: ConnectedDevice, authKey: SigningKeyPair, blob: Uint8Array) {
  const salt = sodium().randombytes_buf(16);
  await user.client.expect('ok', {
    t: 'password.set',
    authPk: toB64(authKey.publicKey),
    salt: toB64(salt),
    kdf: KDF,
    blob: toB64(blob),
  });
  return salt;
}

async function fetchBlob(username: string, authKey: SigningKeyPair, kind = 'password') {
  const c = await TestClient.open(relay);
  await c.hello();
  const reply = await c.request({ t: 'blob.fetch', username, kind, ...c.sign(authKey) });
  await c.close();
  return reply;
}

describe('password accounts', () => {
  it('prelogin returns the stored salt and parameters for a known user', async () => {
    const alice = await connectDevice(relay);
    const salt = await withPassword(alice, newDeviceKey(), sodium().randombytes_buf(72));
    const c = await TestClient.open(relay);
    await c.hello();
    const reply = await c.expect('prelogin.ok', { t: 'prelogin', username: alice.keys.username });
    expect(reply.salt).toBe(toB64(salt));
    expect(reply.kdf).toEqual(KDF);
    await Promise.all([c.close(), alice.client.close()]);
  });

  it('prelogin for an unknown username has the same shape, and a stable fake salt', async () => {
    const alice = await connectDevice(relay);
    await withPassword(alice, newDeviceKey(), sodium().randombytes_buf(72));
    const c = await TestClient.open(relay);
    await c.hello();
    const known = await c.expect('prelogin.ok', { t: 'prelogin', username: alice.keys.username });
    const ghost = uniqueUsername('ghost');
    const fake1 = await c.expect('prelogin.ok', { t: 'prelogin', username: ghost });
    const fake2 = await c.expect('prelogin.ok', { t: 'prelogin', username: ghost.toUpperCase() });
    const other = await c.expect('prelogin.ok', { t: 'prelogin', username: `${ghost}x` });
    const shape = (m: object) =>
      Object.entries(m)
        .filter(([k]) => k !== 'ref')
        .map(([k, v]) => [k, typeof v === 'string' ? v.length : JSON.stringify(Object.keys(v))]);
    expect(shape(fake1)).toEqual(shape(known));
    expect(fake1.kdf).toEqual(known.kdf);
    expect(fake2.salt).toBe(fake1.salt);
    expect(other.salt).not.toBe(fake1.salt);
    await Promise.all([c.close(), alice.client.close()]);
  });

  it('the fake salt is stable across a relay restart (the pepper is persisted)', async () => {
    const own = await startTestRelay();
    const ask = async (r: TestRelay) => {
      const c = await TestClient.open(r);
      await c.hello();
      const m = await c.expect('prelogin.ok', { t: 'prelogin', username: 'nobody_here' });
      await c.close();
      return m.salt;
    };
    const before = await ask(own);
    await own.close();
    const again = await startTestRelay({ dataDir: own.dataDir });
    expect(await ask(again)).toBe(before);
    await again.destroy();
  });

  it('the blob is released only to a signature by the stored auth key', async () => {
    const alice = await connectDevice(relay);
    const authKey = newDeviceKey();
    const blob = sodium().randombytes_buf(72);
    await withPassword(alice, authKey, blob);
    const wrong = await fetchBlob(alice.keys.username, newDeviceKey());
    expect(wrong).toMatchObject({ t: 'error', code: 'AUTH_FAILED' });
    const right = await fetchBlob(alice.keys.username, authKey);
    expect(right).toMatchObject({ t: 'blob.ok', userId: alice.userId, blob: toB64(blob) });
    expect(right).toMatchObject({ ik: toB64(alice.keys.identity.publicKey), kdf: KDF });
    await alice.client.close();
  });

  it('an unknown username fails exactly like a wrong key', async () => {
    const reply = await fetchBlob(uniqueUsername('ghost'), newDeviceKey());
    expect(reply).toMatchObject({ t: 'error', code: 'AUTH_FAILED', message: 'sign-in failed' });
  });

  it('password guesses hit the per-account rate limit, even with the right key after it', async () => {
    const alice = await connectDevice(relay);
    const authKey = newDeviceKey();
    await withPassword(alice, authKey, sodium().randombytes_buf(72));
    const c = await TestClient.open(relay);
    await c.hello();
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const guess = newDeviceKey(); // each guess = a different derived auth key
      codes.push(
        await c.expectError({
          t: 'blob.fetch',
          username: alice.keys.username,
          kind: 'password',
          ...c.sign(guess),
        }),
      );
      await c.newChallenge();
    }
    expect(codes.filter((x) => x === 'AUTH_FAILED')).toHaveLength(5);
    expect(codes[5]).toBe('RATE_LIMITED');
    const right = await c.request({
      t: 'blob.fetch',
      username: alice.keys.username.toUpperCase(),
      kind: 'password',
      ...c.sign(authKey),
    });
    expect(right).toMatchObject({ t: 'error', code: 'RATE_LIMITED' });
    await Promise.all([c.close(), alice.client.close()]);
  });

  it('blob attempts are also rate limited per address across accounts', async () => {
    const strict = await startTestRelay({ blobAttemptsPerIp: 3, blobAttemptsPerAccount: 100 });
    const c = await TestClient.open(strict);
    await c.hello();
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        await c.expectError({
          t: 'blob.fetch',
          username: uniqueUsername('spray'),
          kind: 'password',
          ...c.sign(newDeviceKey()),
        }),
      );
      await c.newChallenge();
    }
    expect(codes).toEqual(['AUTH_FAILED', 'AUTH_FAILED', 'AUTH_FAILED', 'RATE_LIMITED']);
    await c.close();
    await strict.destroy();
  });

  it('changing the password replaces the auth key: the old key no longer releases the blob', async () => {
    const alice = await connectDevice(relay);
    const oldKey = newDeviceKey();
    await withPassword(alice, oldKey, sodium().randombytes_buf(72));
    const newKey = newDeviceKey();
    const newBlob = sodium().randombytes_buf(72);
    await withPassword(alice, newKey, newBlob);
    expect(await fetchBlob(alice.keys.username, oldKey)).toMatchObject({ code: 'AUTH_FAILED' });
    expect(await fetchBlob(alice.keys.username, newKey)).toMatchObject({ blob: toB64(newBlob) });
    await alice.client.close();
  });

  it('a recovery blob is stored and released to the recovery auth key only', async () => {
    const alice = await connectDevice(relay);
    const recoveryKey = newDeviceKey();
    const blob = sodium().randombytes_buf(72);
    await alice.client.expect('ok', {
      t: 'recovery.set',
      authPk: toB64(recoveryKey.publicKey),
      blob: toB64(blob),
    });
    const reply = await fetchBlob(alice.keys.username, recoveryKey, 'recovery');
    expect(reply).toMatchObject({ t: 'blob.ok', kind: 'recovery', blob: toB64(blob) });
    expect(reply).not.toHaveProperty('salt');
    // The recovery key does not open the password slot.
    expect(await fetchBlob(alice.keys.username, recoveryKey)).toMatchObject({
      code: 'AUTH_FAILED',
    });
    await alice.client.close();
  });

  it('KDF parameters below the minimum are refused', async () => {
    const alice = await connectDevice(relay);
    const code = await alice.client.expectError({
      t: 'password.set',
      authPk: toB64(newDeviceKey().publicKey),
      salt: toB64(sodium().randombytes_buf(16)),
      kdf: { alg: 'argon2id13', opslimit: 1, memlimit: 1024 },
      blob: toB64(sodium().randombytes_buf(72)),
    });
    expect(code).toBe('SCHEMA');
    await alice.client.close();
  });
});
