import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../shared/protocol/fields.ts';
import { DB_FILE_NAME, SqliteStore } from '../../../signal/store/sqlite-store.ts';
import {
  type ConnectedDevice,
  connectDevice,
  newDeviceFor,
  roomWith,
  TestClient,
} from './harness.ts';
import { sharedRelay } from './shared-relay.ts';

const shared = sharedRelay();
const { user } = shared;

async function partnersOf(d: ConnectedDevice): Promise<string[]> {
  const reply = await d.client.expect('dm.list.ok', { t: 'dm.list' });
  return reply.partners.map((p) => p.username);
}

describe('dm.list', () => {
  it('lists DMs opened by either side, most recently opened first, with names', async () => {
    const [alice, bob, carol, dave] = [await user(), await user(), await user(), await user()];
    expect(await partnersOf(alice)).toEqual([]);
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await alice.client.expect('dm.ok', { t: 'dm.open', username: carol.keys.username });
    await dave.client.expect('dm.ok', { t: 'dm.open', username: alice.keys.username });
    // Bob answering by opening from his side is the latest open: he moves up, once.
    await bob.client.expect('dm.ok', { t: 'dm.open', username: alice.keys.username });

    const reply = await alice.client.expect('dm.list.ok', { t: 'dm.list' });
    expect(reply.partners).toEqual([
      { userId: bob.userId, username: bob.keys.username },
      { userId: dave.userId, username: dave.keys.username },
      { userId: carol.userId, username: carol.keys.username },
    ]);
    expect(await partnersOf(bob)).toEqual([alice.keys.username]);
    expect(await partnersOf(dave)).toEqual([alice.keys.username]);
  });

  it("a new device of the same user lists the user's DMs", async () => {
    const [alice, bob] = [await user(), await user()];
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    const second = await connectDevice(shared.relay, {
      keys: newDeviceFor(alice.keys),
      mode: 'device.add',
    });
    shared.closeAfterTest(second);
    expect(second.userId).toBe(alice.userId);
    expect(await partnersOf(second)).toEqual([bob.keys.username]);
  });

  it('a block by either side removes the DM from both lists', async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await alice.client.expect('dm.ok', { t: 'dm.open', username: carol.keys.username });
    await bob.client.expect('ok', { t: 'dm.block', username: alice.keys.username });
    await alice.client.expect('ok', { t: 'dm.block', username: carol.keys.username });
    expect(await partnersOf(alice)).toEqual([]);
    expect(await partnersOf(bob)).toEqual([]);
    expect(await partnersOf(carol)).toEqual([]);
  });

  it('room co-members are not DM partners', async () => {
    const [alice, bob] = [await user(), await user()];
    await roomWith(alice, [bob]);
    expect(await partnersOf(alice)).toEqual([]);
  });
});

describe('dm.list under attack', () => {
  it("a user cannot list another user's DMs: naming someone is a SCHEMA error", async () => {
    const [alice, bob, mallory] = [await user(), await user(), await user()];
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    expect(await mallory.client.expectError({ t: 'dm.list', userId: alice.userId })).toBe('SCHEMA');
    expect(await mallory.client.expectError({ t: 'dm.list', username: alice.keys.username })).toBe(
      'SCHEMA',
    );
    // Mallory's own list never shows the DMs of others.
    expect(await partnersOf(mallory)).toEqual([]);
    expect(await partnersOf(alice)).toEqual([bob.keys.username]);
  });

  it('asking before logging in is NOT_AUTHED', async () => {
    const client = await TestClient.open(shared.relay);
    try {
      await client.hello();
      expect(await client.expectError({ t: 'dm.list' })).toBe('NOT_AUTHED');
    } finally {
      await client.close();
    }
  });

  it('a malformed dm.list gets SCHEMA and the relay keeps serving', async () => {
    const [alice, bob] = [await user(), await user()];
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    for (const bad of [
      { t: 'dm.list', limit: 5 },
      { t: 'dm.list', partners: [] },
    ]) {
      expect(await alice.client.expectError(bad)).toBe('SCHEMA');
    }
    // A ref the relay cannot echo (not a string, too long): the error comes without one.
    for (const ref of [7, 'x'.repeat(LIMITS.refMaxChars + 1)]) {
      const refless = alice.client.waitFor((m) => m.t === 'error' && m.ref === undefined);
      alice.client.send({ t: 'dm.list', ref });
      expect(await refless).toMatchObject({ t: 'error', code: 'SCHEMA' });
    }
    // The same socket and other sockets are still answered.
    expect(await partnersOf(alice)).toEqual([bob.keys.username]);
    expect(await partnersOf(bob)).toEqual([alice.keys.username]);
  });
});

describe('dm.list bound', () => {
  it(`answers at most ${LIMITS.dmListMaxPartners} partners, the most recent ones`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-dm-list-'));
    const store = new SqliteStore(dir);
    const db = new Database(join(dir, DB_FILE_NAME));
    try {
      const total = LIMITS.dmListMaxPartners + 5;
      const addUser = db.prepare(
        'INSERT INTO users (id, username, username_lc, ik, created) VALUES (?, ?, ?, ?, 0)',
      );
      db.transaction(() => {
        for (let i = 0; i <= total; i++) {
          const name = `u${i}`;
          addUser.run(name, name, name, Buffer.from(name));
        }
      })();
      for (let i = 1; i <= total; i++) store.openDm('u0', `u${i}`);
      const partners = store.listDmPartners('u0', LIMITS.dmListMaxPartners);
      expect(partners).toHaveLength(LIMITS.dmListMaxPartners);
      expect(partners[0]).toEqual({ id: `u${total}`, username: `u${total}` });
      expect(partners.some((p) => p.id === 'u1')).toBe(false);
    } finally {
      db.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
