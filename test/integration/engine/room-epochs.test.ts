/**
 * This device's sender-key epochs per room across restarts (room-epochs.ts):
 * every start is above every epoch used before, with the reservation kept in
 * the encrypted history kv.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newAtRestKeys } from '../../../shared/crypto/at-rest.ts';
import { utf8 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { HistoryStore } from '../../../web/core/history/history-store.ts';
import { RoomEpochs } from '../../../web/core/room-epochs.ts';

const stores: HistoryStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
beforeAll(async () => {
  await loadSodium();
});

let n = 0;
async function store() {
  const keys = newAtRestKeys();
  const dbName = `room-epochs-${process.pid}-${++n}`;
  const open = async () => {
    const s = await HistoryStore.open({
      dbName,
      dek: keys.dek.slice(),
      indexKey: keys.indexKey.slice(),
    });
    stores.push(s);
    return s;
  };
  return { open };
}

const fixedClock = () => 5_000; // 5 s after 1970: the floor stays out of the way.

describe('sender-key epochs across restarts', () => {
  it('each start is above every epoch the last one used, rotations included', async () => {
    const db = await store();
    const first = await RoomEpochs.open(await db.open(), 'room-a', { now: fixedClock });
    expect(first.start).toBe(5);
    const second = await RoomEpochs.open(await db.open(), 'room-a', { now: fixedClock });
    expect(second.start).toBeGreaterThan(first.start);
    // Rotations far past the reserved block: the reservation follows them.
    for (let e = second.start + 1; e <= second.start + 200; e++) second.use(e);
    await second.flush();
    const third = await RoomEpochs.open(await db.open(), 'room-a', { now: fixedClock });
    expect(third.start).toBeGreaterThan(second.start + 200);
    // Rooms do not share a counter.
    const other = await RoomEpochs.open(await db.open(), 'room-b', { now: fixedClock });
    expect(other.start).toBe(5);
  });

  it('a lost or unreadable counter still starts above the wall clock in seconds', async () => {
    const db = await store();
    const history = await db.open();
    await history.kvPut('room-epoch/room-a', utf8('not a number'));
    const epochs = await RoomEpochs.open(history, 'room-a', { now: () => 1_700_000_000_123 });
    expect(epochs.start).toBe(1_700_000_000);
  });

  it('a store that cannot write still opens the room, and says why', async () => {
    const db = await store();
    const history = await db.open();
    const errors: unknown[] = [];
    const failing = Object.assign(Object.create(history) as HistoryStore, {
      kvGet: (key: string) => history.kvGet(key),
      kvPut: () => Promise.reject(new Error('quota')),
    });
    const epochs = await RoomEpochs.open(failing, 'room-a', {
      now: fixedClock,
      reportError: (e) => errors.push(e),
    });
    expect(epochs.start).toBe(5);
    expect(errors).toHaveLength(1);
  });
});
