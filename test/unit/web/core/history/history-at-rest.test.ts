import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newAtRestKeys } from '../../../../../shared/crypto/at-rest.ts';
import { utf8 } from '../../../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../../../../shared/events/event-schema.ts';
import { HistoryStore } from '../../../../../web/core/history/history-store.ts';
import { chatEvent, freshDbName, idOf, incoming } from './fixtures.ts';

const CANARY = 'canary-7f3a9c-plaintext-must-not-leak';
const CONV = 'dm:alice_user.bob_user';
const USERNAMES = ['alice_user', 'bob_user', 'carol_user'];

const cleanup: string[] = [];

beforeAll(async () => {
  await loadSodium();
});

afterEach(async () => {
  for (const name of cleanup.splice(0)) await rawDelete(name);
});

function req<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function rawOpen(name: string): Promise<IDBDatabase> {
  return req(indexedDB.open(name));
}

function rawDelete(name: string): Promise<unknown> {
  return req(indexedDB.deleteDatabase(name));
}

async function rawEntries(db: IDBDatabase, store: string): Promise<[IDBValidKey, unknown][]> {
  const tx = db.transaction(store, 'readonly');
  const os = tx.objectStore(store);
  const keys = await req(os.getAllKeys());
  const values = await req(os.getAll());
  return keys.map((k, i) => [k, values[i]]);
}

async function rawPut(db: IDBDatabase, store: string, value: unknown, key?: IDBValidKey) {
  const tx = db.transaction(store, 'readwrite');
  await req(
    key === undefined ? tx.objectStore(store).put(value) : tx.objectStore(store).put(value, key),
  );
}

/** Every byte IndexedDB holds for a key or value, strings as UTF-8. */
function bytesOf(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'string') out.push(...utf8(value));
  else if (value instanceof Uint8Array) out.push(...value);
  else if (value instanceof ArrayBuffer) out.push(...new Uint8Array(value));
  else if (Array.isArray(value)) for (const v of value) bytesOf(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      bytesOf(k, out);
      bytesOf(v, out);
    }
  } else out.push(...utf8(String(value)));
  return out;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

async function filledStore(): Promise<{ store: HistoryStore; name: string; events: ChatEvent[] }> {
  const name = freshDbName();
  cleanup.push(name);
  const store = await HistoryStore.open({ dbName: name, ...newAtRestKeys() });
  const events: ChatEvent[] = [];
  for (let i = 0; i < 20; i++) {
    events.push(
      chatEvent(CONV, i % 2 ? 'alice' : 'bob', {
        type: 'text',
        text: `${CANARY} number ${i} for @carol_user`,
        mentions: ['carol_user'],
      }),
    );
  }
  const first = events[0]!;
  const more = [
    chatEvent(CONV, 'bob', { type: 'edit', target: first.id, text: `${CANARY} edited` }),
    chatEvent(CONV, 'alice', { type: 'reaction', target: first.id, emoji: '🐤', on: true }),
    // Waits for a message that never comes: pending events are sealed too.
    chatEvent(CONV, 'alice', { type: 'edit', target: idOf('missing'), text: `${CANARY} pending` }),
  ];
  await store.addEvents(
    CONV,
    [...events, ...more].map((e) => incoming(e)),
  );
  await store.putConversation({
    convId: CONV,
    lastReadOrderKey: null,
    unreadCount: 1,
    preview: { eventId: first.id, authorIk: first.authorIk, text: `${CANARY} preview`, ts: 1 },
    lastActivityTs: 1,
  });
  await store.putOutbox({
    convId: CONV,
    ...incoming(first),
    awaiting: ['bob_user'],
    attempts: 0,
    nextAttemptAt: 0,
  });
  await store.kvPut('settings:alice_user', utf8(`${CANARY} setting`));
  return { store, name, events };
}

describe('history at rest', () => {
  it('a raw dump of the database holds no canary plaintext', async () => {
    const { store, name, events } = await filledStore();
    store.close();
    const db = await rawOpen(name);
    const all: number[] = [];
    let records = 0;
    for (const storeName of db.objectStoreNames) {
      for (const [key, value] of await rawEntries(db, storeName)) {
        records += 1;
        bytesOf(key, all);
        bytesOf(value, all);
      }
    }
    db.close();
    expect(records).toBeGreaterThan(40);
    const dump = Uint8Array.from(all);
    const secrets = [CANARY, CONV, ...USERNAMES, ...events.map((e) => e.id), '🐤'];
    for (const secret of secrets) {
      expect(contains(dump, utf8(secret)), secret).toBe(false);
    }
    // The check itself can see plaintext when it is there.
    expect(contains(Uint8Array.from(bytesOf({ x: [CANARY] })), utf8(CANARY))).toBe(true);
  });

  it('records moved between keys or stores do not decrypt', async () => {
    const { store, name, events } = await filledStore();
    const db = await rawOpen(name);
    const messages = await rawEntries(db, 'messages');
    const [a, b] = [messages[0]!, messages[1]!];

    // One message's record under another message's key.
    await rawPut(db, 'messages', a[1], b[0]);
    await expect(store.page(CONV, { limit: 100 })).rejects.toMatchObject({
      code: 'HISTORY_RECORD_CORRUPT',
    });
    await expect(store.find(CONV, 'anything')).rejects.toMatchObject({
      code: 'HISTORY_RECORD_CORRUPT',
    });

    // A message record moved into the conversations store.
    const [convKey] = (await rawEntries(db, 'conversations'))[0]!;
    await rawPut(db, 'conversations', a[1], convKey);
    await expect(store.getConversation(CONV)).rejects.toMatchObject({
      code: 'HISTORY_RECORD_CORRUPT',
    });

    // An event record relabelled with another event's position.
    const rawEvents = await rawEntries(db, 'events');
    const [, e0] = rawEvents[0]! as [IDBValidKey, { c: string; k: string; i: string }];
    const [, e1] = rawEvents[1]! as [IDBValidKey, { k: string }];
    await rawPut(db, 'events', { ...e0, k: e1.k, i: `${e0.i}x` });
    await expect(store.eventsSince(CONV, null)).rejects.toMatchObject({
      code: 'HISTORY_RECORD_CORRUPT',
    });

    // A record claiming another schema version, and a flipped bit.
    const kv = (await rawEntries(db, 'kv'))[0]! as [IDBValidKey, { v: number; s: Uint8Array }];
    await rawPut(db, 'kv', { ...kv[1], v: 0 }, kv[0]);
    await expect(store.kvGet('settings:alice_user')).rejects.toMatchObject({
      code: 'HISTORY_RECORD_CORRUPT',
    });
    const flipped = kv[1].s.slice();
    flipped[flipped.length - 1]! ^= 1;
    await rawPut(db, 'kv', { v: kv[1].v, s: flipped }, kv[0]);
    await expect(store.kvGet('settings:alice_user')).rejects.toMatchObject({
      code: 'HISTORY_RECORD_CORRUPT',
    });
    db.close();
    expect(events.length).toBe(20);
    store.close();
  });

  it('another key cannot read the history', async () => {
    const { store, name } = await filledStore();
    store.close();
    const keys = newAtRestKeys();
    const stranger = await HistoryStore.open({ dbName: name, ...keys });
    // Without the index key the conversation cannot even be found.
    expect(await stranger.page(CONV, { limit: 10 })).toEqual([]);
    expect(await stranger.listConversations().catch((e: { code: string }) => e.code)).toBe(
      'HISTORY_RECORD_CORRUPT',
    );
    stranger.close();
  });

  it('a database from a newer schema is refused with a code', async () => {
    const name = freshDbName();
    cleanup.push(name);
    (await req(indexedDB.open(name, 99))).close();
    await expect(HistoryStore.open({ dbName: name, ...newAtRestKeys() })).rejects.toMatchObject({
      code: 'HISTORY_VERSION_TOO_NEW',
    });
  });

  it('wipe leaves nothing', async () => {
    const { store, name } = await filledStore();
    expect((await indexedDB.databases()).map((d) => d.name)).toContain(name);
    await store.wipe();
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name);
    const reopened = await rawOpen(name);
    expect(reopened.objectStoreNames.length).toBe(0);
    reopened.close();
    await expect(store.page(CONV, { limit: 1 })).rejects.toMatchObject({ code: 'HISTORY_CLOSED' });
  });
});
