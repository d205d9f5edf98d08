/**
 * The newest `count` records of a key range in one request where the
 * browser has `getAllRecords` (IndexedDB 3.0: Chromium 141+, and
 * fake-indexeddb), else a cursor walking backwards. One request matters:
 * every cursor step is a round trip to the browser's database process, and
 * a page of 100 is 100 of them.
 */
import { type IDBPObjectStore, unwrap, wrap } from 'idb';
import type { HistorySchema } from './history-db.ts';

export interface RawRecord {
  primaryKey: IDBValidKey;
  value: unknown;
}

interface GetAllRecordsOptions {
  query: IDBKeyRange;
  count: number;
  direction: 'prev';
}

interface WithGetAllRecords {
  getAllRecords(options: GetAllRecordsOptions): IDBRequest<RawRecord[]>;
}

function hasGetAllRecords(store: IDBObjectStore): store is IDBObjectStore & WithGetAllRecords {
  return typeof (store as Partial<WithGetAllRecords>).getAllRecords === 'function';
}

type MessagesStore = IDBPObjectStore<HistorySchema, ['messages'], 'messages', 'readonly'>;

export async function newestRecords(
  store: MessagesStore,
  range: IDBKeyRange,
  count: number,
): Promise<RawRecord[]> {
  const raw = unwrap(store) as IDBObjectStore;
  if (hasGetAllRecords(raw)) {
    return (await wrap(
      raw.getAllRecords({ query: range, count, direction: 'prev' }),
    )) as RawRecord[];
  }
  const out: RawRecord[] = [];
  let cursor = await store.openCursor(range, 'prev');
  while (cursor && out.length < count) {
    out.push({ primaryKey: cursor.primaryKey, value: cursor.value });
    if (out.length < count) cursor = await cursor.continue();
  }
  return out;
}
