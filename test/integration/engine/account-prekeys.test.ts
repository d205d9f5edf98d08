import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { prekeyFromWire, verifySignedPrekey } from '../../../shared/crypto/keys.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  createAccount,
  findPrekey,
  PREKEY_POLICY,
  planPrekeyRotation,
  rotatePrekeyIfDue,
  unlock,
} from '../../../web/core/account/index.ts';
import {
  accountRelay,
  CHEAP_KDF,
  cleanupList,
  freshKeyStore,
  relayClient,
  uniqueUsername,
} from './account-support.ts';

const cleanup = cleanupList();
afterEach(() => cleanup.run());
beforeAll(() => loadSodium());

const DAY_MS = 24 * 60 * 60 * 1000;

describe('signed prekeys', () => {
  it('the policy: rotate at seven days, keep a replaced key fourteen days', () => {
    const key = (id: number, created: number) => ({
      id,
      created,
      publicKey: new Uint8Array(32),
      privateKey: new Uint8Array(32),
      sig: new Uint8Array(64),
    });
    const t0 = 1_700_000_000_000;
    const prekeys = {
      current: key(3, t0),
      retired: [
        { prekey: key(1, t0 - 14 * DAY_MS), retiredAt: t0 - 14 * DAY_MS },
        { prekey: key(2, t0 - 7 * DAY_MS), retiredAt: t0 - 1 },
      ],
    };
    expect(PREKEY_POLICY).toEqual({ rotateAfterMs: 7 * DAY_MS, keepRetiredMs: 14 * DAY_MS });
    expect(planPrekeyRotation(prekeys, t0 + 7 * DAY_MS - 1).rotate).toBe(false);
    expect(planPrekeyRotation(prekeys, t0 + 7 * DAY_MS).rotate).toBe(true);
    // A clock that went backwards never rotates.
    expect(planPrekeyRotation(prekeys, t0 - DAY_MS).rotate).toBe(false);
    const plan = planPrekeyRotation(prekeys, t0);
    expect(plan.drop.map((r) => r.prekey.id)).toEqual([1]);
    expect(plan.keep.map((r) => r.prekey.id)).toEqual([2]);
    expect(planPrekeyRotation(prekeys, t0 + 14 * DAY_MS - 1).drop.map((r) => r.prekey.id)).toEqual([
      1, 2,
    ]);
  });

  it('prekeys rotate weekly and old private keys are kept for 14 days, then dropped', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const store = freshKeyStore(cleanup);
    let nowMs = Date.UTC(2026, 0, 1);
    const now = () => nowMs;
    const session = await createAccount({
      relay: client,
      store,
      username: uniqueUsername('spk'),
      password: 'pw',
      kdf: CHEAP_KDF,
      now,
    });
    const { account } = session;
    const first = account.prekeys.current;
    const published = async () => {
      const keys = await client.call({ t: 'keys.get', username: account.username }, 'keys');
      return prekeyFromWire(keys.devices[0]!.spk);
    };
    const rotate = () => rotatePrekeyIfDue({ relay: client, store, session, now });

    // Six days on: nothing to do.
    nowMs += 6 * DAY_MS;
    expect(await rotate()).toEqual({ rotated: false, dropped: 0 });

    // A week on: a new prekey, published and signed by this device; the old
    // private key is still here for mail sealed to it.
    // Two overlapping calls (start-up check and timer) rotate once.
    nowMs += DAY_MS;
    expect(await Promise.all([rotate(), rotate()])).toEqual([
      { rotated: true, dropped: 0 },
      { rotated: false, dropped: 0 },
    ]);
    const second = account.prekeys.current;
    expect(second.id).toBe(first.id + 1);
    expect(verifySignedPrekey(second, account.device.publicKey)).toBe(true);
    expect(toB64((await published()).publicKey)).toBe(toB64(second.publicKey));
    expect(findPrekey(account, first.id)?.privateKey).toBe(first.privateKey);

    // Two weeks on: rotated again; the first is kept until 14 days after its retirement.
    nowMs += 7 * DAY_MS;
    expect(await rotate()).toEqual({ rotated: true, dropped: 0 });
    expect(account.prekeys.retired.map((r) => r.prekey.id)).toEqual([first.id, second.id]);
    nowMs += 7 * DAY_MS - 1;
    await rotate();
    expect(findPrekey(account, first.id)).not.toBeNull();

    // Fourteen days after it was replaced, the first private key is gone —
    // from memory (zeroed) and from the device's store.
    nowMs += 1;
    const result = await rotate();
    expect(result.dropped).toBe(1);
    expect(findPrekey(account, first.id)).toBeNull();
    expect(first.privateKey.every((b) => b === 0)).toBe(true);
    expect(findPrekey(account, second.id)).not.toBeNull();

    const reloaded = await unlock({ store, secret: 'pw', kdf: CHEAP_KDF });
    expect(reloaded.account.prekeys.current.id).toBe(account.prekeys.current.id);
    expect(reloaded.account.prekeys.retired.map((r) => r.prekey.id)).toEqual(
      account.prekeys.retired.map((r) => r.prekey.id),
    );
    expect(findPrekey(reloaded.account, first.id)).toBeNull();
    expect(toB64(findPrekey(reloaded.account, second.id)!.privateKey)).toBe(
      toB64(findPrekey(account, second.id)!.privateKey),
    );
  });

  it('a rotation the relay refuses leaves the stored prekeys as they were', async () => {
    const relay = await accountRelay(cleanup);
    const client = relayClient(relay, cleanup);
    const store = freshKeyStore(cleanup);
    let nowMs = Date.UTC(2026, 0, 1);
    const session = await createAccount({
      relay: client,
      store,
      username: uniqueUsername('spkfail'),
      password: 'pw',
      kdf: CHEAP_KDF,
      now: () => nowMs,
    });
    const before = session.account.prekeys.current;
    nowMs += 8 * DAY_MS;
    client.close();
    await expect(
      rotatePrekeyIfDue({ relay: client, store, session, now: () => nowMs }),
    ).rejects.toMatchObject({ code: 'RELAY_UNAVAILABLE' });
    expect(session.account.prekeys.current).toBe(before);
    const reloaded = await unlock({ store, secret: 'pw', kdf: CHEAP_KDF });
    expect(reloaded.account.prekeys.current.id).toBe(before.id);
    expect(reloaded.account.prekeys.retired).toEqual([]);
  });
});
