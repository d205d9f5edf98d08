/**
 * The P6 measurements (TARGETS.md) over whatever `indexedDB` the global
 * scope has: fake-indexeddb in Node, the real one in Chromium. Split into
 * steps so a browser can fill the database on one page load and open it
 * "cold" on later ones. Each step times one thing and returns plain numbers.
 */
import { deleteDB, openDB, unwrap, wrap } from 'idb';
import { toB64, utf8 } from '../../shared/crypto/encoding.ts';
import { sodium } from '../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import { orderKey } from '../../shared/events/ordering.ts';
import type { IncomingEvent } from '../../web/core/history/event-ingest.ts';
import { HistoryStore } from '../../web/core/history/history-store.ts';

export const HISTORY_BENCH = {
  conv: 'room:bench',
  noiseConv: 'room:other',
  pageSize: 100,
  insertBatch: 500,
  liveInserts: 300,
} as const;

export const HISTORY_TARGET = { openAndNewest100Ms: 50 } as const;

/** A bench database needs the same keys on every page load; these are not secrets. */
function benchKeys(): { dek: Uint8Array; indexKey: Uint8Array } {
  return { dek: new Uint8Array(32).fill(7), indexKey: new Uint8Array(32).fill(9) };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round2 = (x: number): number => Math.round(x * 100) / 100;

function makeEvents(conv: string, count: number, lamportStart: number): IncomingEvent[] {
  const s = sodium();
  const authors = Array.from({ length: 8 }, () => toB64(s.randombytes_buf(32)));
  const devices = Array.from({ length: 8 }, () => toB64(s.randombytes_buf(16)));
  return Array.from({ length: count }, (_, i) => {
    const event: ChatEvent = {
      v: 1,
      id: toB64(s.randombytes_buf(16)),
      conv,
      authorIk: authors[i % 8]!,
      authorDevice: devices[i % 8]!,
      lamport: lamportStart + i,
      ts: 1_700_000_000_000 + i * 1_000,
      body: { type: 'text', text: `message ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}` },
    };
    // The store trusts its caller to have verified; a placeholder signature costs nothing here.
    return { event, signed: { bytes: utf8(JSON.stringify(event)), sig: s.randombytes_buf(64) } };
  });
}

export interface FillFigures {
  insertBatchedPerSec: number;
  insertOnePerTxPerSec: number;
  bareInsertBatchedPerSec: number;
  newestId: string;
}

/** Creates `<name>` (encrypted store) and `<name>-bare` (plaintext floor) with `count` messages. */
export async function fillHistory(dbName: string, count: number): Promise<FillFigures> {
  await deleteDB(dbName);
  await deleteDB(`${dbName}-bare`);
  const { conv, noiseConv, insertBatch, liveInserts } = HISTORY_BENCH;
  const store = await HistoryStore.open({ dbName, ...benchKeys() });
  const events = makeEvents(conv, count, 1);
  const t0 = performance.now();
  for (let at = 0; at < events.length; at += insertBatch) {
    await store.addEvents(conv, events.slice(at, at + insertBatch));
  }
  const insertMs = performance.now() - t0;
  const noise = makeEvents(noiseConv, Math.floor(count / 5), 1);
  for (let at = 0; at < noise.length; at += insertBatch) {
    await store.addEvents(noiseConv, noise.slice(at, at + insertBatch));
  }
  const live = makeEvents(noiseConv, liveInserts, count);
  const t1 = performance.now();
  for (const item of live) await store.addEvents(noiseConv, [item]);
  const liveMs = performance.now() - t1;
  store.close();

  const bare = await openDB(`${dbName}-bare`, 1, {
    upgrade: (db) => void db.createObjectStore('messages'),
  });
  const t2 = performance.now();
  for (let at = 0; at < events.length; at += insertBatch) {
    const tx = bare.transaction('messages', 'readwrite');
    for (const { event } of events.slice(at, at + insertBatch)) {
      void tx.store.put(event, [conv, orderKey(event)]);
    }
    await tx.done;
  }
  const bareMs = performance.now() - t2;
  bare.close();
  return {
    insertBatchedPerSec: Math.round((count / insertMs) * 1000),
    insertOnePerTxPerSec: Math.round((liveInserts / liveMs) * 1000),
    bareInsertBatchedPerSec: Math.round((count / bareMs) * 1000),
    newestId: events.at(-1)!.event.id,
  };
}

export interface ReadFigures {
  openMs: number;
  openAndNewest100Ms: number;
  nextOlder100Ms: number;
}

/**
 * One cold read: open, newest page, the page before it. The bare copy is
 * read by `readBareNewest` on its own page load: the first IndexedDB
 * request of a document pays a start-up cost, and whichever read came first
 * would carry it for both.
 */
export async function readNewest(dbName: string, newestId: string): Promise<ReadFigures> {
  const { conv, pageSize } = HISTORY_BENCH;
  const t0 = performance.now();
  const store = await HistoryStore.open({ dbName, ...benchKeys() });
  const t1 = performance.now();
  const page = await store.page(conv, { limit: pageSize });
  const t2 = performance.now();
  if (page.length !== pageSize || page[0]?.id !== newestId) {
    throw new Error('bench/history: the newest page is wrong');
  }
  await store.page(conv, { before: page.at(-1)!.orderKey, limit: pageSize });
  const t3 = performance.now();
  store.close();
  return { openMs: t1 - t0, openAndNewest100Ms: t2 - t0, nextOlder100Ms: t3 - t2 };
}

/** The same walk over the plaintext copy: no crypto, no blind index. */
export async function readBareNewest(baseName: string): Promise<number> {
  const dbName = `${baseName}-bare`;
  const { conv, pageSize } = HISTORY_BENCH;
  const t0 = performance.now();
  const db = await openDB(dbName, 1);
  const tx = db.transaction('messages', 'readonly');
  // The store's read (newest-records.ts): one getAllRecords where there is one.
  const range = IDBKeyRange.bound([conv], [conv, '\uffff']);
  const raw = unwrap(tx.store) as IDBObjectStore & {
    getAllRecords?: (o: { query: IDBKeyRange; count: number; direction: 'prev' }) => IDBRequest;
  };
  let out: unknown[] = [];
  if (raw.getAllRecords) {
    out = (await wrap(
      raw.getAllRecords({ query: range, count: pageSize, direction: 'prev' }),
    )) as unknown[];
  } else {
    let cursor = await tx.store.openCursor(range, 'prev');
    while (cursor && out.length < pageSize) {
      out.push(cursor.value);
      if (out.length < pageSize) cursor = await cursor.continue();
    }
  }
  const ms = performance.now() - t0;
  db.close();
  if (out.length !== pageSize) throw new Error('bench/history: short bare page');
  return ms;
}

/** A search that matches nothing: decrypts every message of the conversation. */
export async function findScan(dbName: string): Promise<number> {
  const store = await HistoryStore.open({ dbName, ...benchKeys() });
  const t0 = performance.now();
  const found = await store.find(HISTORY_BENCH.conv, 'no such text anywhere', { limit: 10 });
  const ms = performance.now() - t0;
  store.close();
  if (found.length !== 0) throw new Error('bench/history: find matched');
  return ms;
}

export async function dropHistory(dbName: string): Promise<void> {
  await deleteDB(dbName);
  await deleteDB(`${dbName}-bare`);
}
