/**
 * The bare cost of the IndexedDB writes a message needs, measured in the
 * page that runs the engine, in the same run (TARGETS.md: "the bare limit
 * measured in the same run"). No engine code: plain `indexedDB` on a scratch
 * database shaped like the history (events with two indexes, messages,
 * outbox), records about the size of a sealed 100 B message's.
 *
 * - `sendTxMs`: the sender's one transaction (ARCHITECTURE.md step 2: the
 *   event, its view and the outbox entry), committed without reading;
 * - `receiveTxMs`: the receiver's (event and view added, the events waiting
 *   for this message looked up by index, committed after the answers).
 *
 * A message crosses both on its way from send to "stored and rendered", so
 * their sum plus the raw channel's one-way time is the floor P3 can reach
 * without dropping "stored, then sent" or "stored, then shown".
 */

import { summary, timeEach } from './stats.ts';

export interface IdbFloor {
  sendTxP50Ms: number;
  sendTxP99Ms: number;
  receiveTxP50Ms: number;
  receiveTxP99Ms: number;
  transactions: number;
}

/** Runs inside the engine's page (engine-page-entry.ts `idbFloor`). */
export async function measureIdbFloor(transactions: number): Promise<IdbFloor> {
  const name = `parley-bench-idb-floor-${Date.now()}`;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      const events = open.result.createObjectStore('events');
      events.createIndex('byId', 'i', { unique: true });
      events.createIndex('byTarget', 't');
      open.result.createObjectStore('messages');
      open.result.createObjectStore('outbox');
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const record = (n: number, bytes: number) => ({
    c: 'conversation',
    k: `key-${n}`,
    i: `id-${n}`,
    b: crypto.getRandomValues(new Uint8Array(bytes)),
  });
  const answer = <T>(request: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  const done = (tx: IDBTransaction) =>
    new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error);
    });
  let n = 0;
  const send = async () => {
    const k = n++;
    const tx = db.transaction(['events', 'messages', 'outbox'], 'readwrite');
    tx.objectStore('events').add(record(k, 420), ['c', `k${k}`]);
    tx.objectStore('messages').add(record(k, 260), ['c', `k${k}`]);
    tx.objectStore('outbox').put(record(k, 480), ['c', `k${k}`]);
    tx.commit();
    await done(tx);
  };
  const receive = async () => {
    const k = n++;
    const tx = db.transaction(['events', 'messages'], 'readwrite');
    const finished = done(tx);
    await Promise.all([
      answer(tx.objectStore('events').add(record(k, 420), ['c', `k${k}`])),
      answer(tx.objectStore('messages').add(record(k, 260), ['c', `k${k}`])),
      answer(tx.objectStore('events').index('byTarget').getAll(`c/id-${k}`)),
    ]);
    tx.commit();
    await finished;
  };
  try {
    const sent = summary(await timeEach(transactions, send));
    const received = summary(await timeEach(transactions, receive));
    return {
      sendTxP50Ms: sent.p50,
      sendTxP99Ms: sent.p99,
      receiveTxP50Ms: received.p50,
      receiveTxP99Ms: received.p99,
      transactions,
    };
  } finally {
    db.close();
    indexedDB.deleteDatabase(name);
  }
}
