import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { MIGRATIONS } from '../../../signal/store/migrations.ts';
import { connectDevice, relaySchemaErrors, roomWith, startTestRelay } from './harness.ts';

describe('store', () => {
  it('a restart loses nothing acknowledged: users, devices, rooms, roles, bans, DMs', async () => {
    const first = await startTestRelay();
    const alice = await connectDevice(first);
    const bob = await connectDevice(first);
    const carol = await connectDevice(first);
    const { roomId, invite } = await roomWith(alice, [bob, carol], 'private');
    await alice.client.expect('ok', { t: 'room.role', roomId, userId: bob.userId, role: 'admin' });
    await alice.client.expect('ok', { t: 'room.ban', roomId, userId: carol.userId });
    await Promise.all([alice, bob, carol].map((d) => d.client.close()));
    await first.close();

    const second = await startTestRelay({ dataDir: first.dataDir });
    const a2 = await connectDevice(second, { keys: alice.keys, mode: 'login' });
    const c2 = await connectDevice(second, { keys: carol.keys, mode: 'login' });
    expect(a2.userId).toBe(alice.userId);
    const members = await a2.client.expect('room.members.ok', { t: 'room.members', roomId });
    expect(members.members.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [alice.userId, 'owner'],
        [bob.userId, 'admin'],
      ].sort(),
    );
    expect(await c2.client.expectError({ t: 'room.join', roomId, invite })).toBe('BANNED');
    await Promise.all([a2.client.close(), c2.client.close()]);
    await second.destroy();
    expect(relaySchemaErrors()).toEqual([]);
  });

  it('the database is SQLite in WAL mode at DATA_DIR/parley.db with versioned migrations', async () => {
    const relay = await startTestRelay();
    expect(relay.dbPath).toBe(`${relay.dataDir}/parley.db`);
    await relay.close();
    const db = new Database(relay.dbPath, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
    // Starting again on a migrated database is a no-op, not an error.
    const again = await startTestRelay({ dataDir: relay.dataDir });
    await again.destroy();
  });

  it('an older database is migrated forward in order, keeping its rows', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
    const old = new Database(join(dataDir, 'parley.db'));
    old.exec(MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('marker', Buffer.from([1]));
    old.close();
    const relay = await startTestRelay({ dataDir });
    expect(relay.store.getMeta('marker')).toEqual(Buffer.from([1]));
    await relay.close();
    const db = new Database(relay.dbPath, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name = 'room_kicks'").get(),
    ).toBeTruthy();
    db.close();
    await startTestRelay({ dataDir }).then((r) => r.destroy());
  });

  it('a database from a newer relay is refused rather than misread', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-newer-'));
    const db = new Database(join(dataDir, 'parley.db'));
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    await expect(startTestRelay({ dataDir })).rejects.toThrow(/newer than this relay/);
  });

  it('a failing database answers INTERNAL and the relay stays up', async () => {
    const relay = await startTestRelay();
    const alice = await connectDevice(relay);
    const bob = await connectDevice(relay);
    await alice.client.expect('dm.ok', {
      t: 'dm.open',
      username: bob.keys.username,
    });
    await bob.client.close();
    relay.store.close(); // every later store call throws
    expect(await alice.client.expectError({ t: 'room.list' })).toBe('INTERNAL');
    alice.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, new Uint8Array(8), { storeIfOffline: true }),
    );
    expect((await alice.client.next('error')).code).toBe('INTERNAL');
    expect((await fetch(`${relay.url}/livez`)).status).toBe(200);
    await alice.client.expect('pong', { t: 'ping' });
    await alice.client.close();
    await relay.destroy();
  });
});
