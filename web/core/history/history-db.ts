/**
 * The IndexedDB schema of the history store and its migrations. Every value
 * is a SealedRecord (record-codec.ts); the only cleartext is blind indexes
 * and Lamport/clock stamps in keys.
 *
 * Stores (keys in brackets; c = blind index of the conversation id,
 * k = storeKey, i = blind index of an event id):
 * - events [c, k]: raw signed events as received, for backfill and
 *   de-duplication. Index `byId` (i, unique); index `byTarget` (multiEntry
 *   over `c/i` of every message the event changes), which is how an edit or
 *   reaction that arrived before its message is found when the message comes.
 * - messages [c, k]: materialized MessageViews, same key as their text event.
 * - conversations [c]: per-conversation metadata.
 * - outbox [c, k]: events not yet acked by every recipient device.
 * - kv [blind index of the key]: opaque engine state.
 */
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, openDB } from 'idb';
import { HistoryError } from './history-error.ts';
import { HISTORY_SCHEMA_VERSION, type SealedRecord } from './record-codec.ts';

export interface EventRecord extends SealedRecord {
  c: string;
  k: string;
  i: string;
  /** `c/i` of each target; absent on events that target nothing. */
  t?: string[];
}

export interface HistorySchema extends DBSchema {
  events: {
    key: [string, string];
    value: EventRecord;
    indexes: { byId: string; byTarget: string };
  };
  messages: { key: [string, string]; value: SealedRecord };
  conversations: { key: string; value: SealedRecord };
  outbox: { key: [string, string]; value: SealedRecord };
  kv: { key: string; value: SealedRecord };
}

export type HistoryDb = IDBPDatabase<HistorySchema>;
type UpgradeTransaction = IDBPTransaction<
  HistorySchema,
  ('events' | 'messages' | 'conversations' | 'outbox' | 'kv')[],
  'versionchange'
>;

/**
 * MIGRATIONS[n - 1] takes a database from version n - 1 to n. Append only:
 * a shipped step never changes, because databases in the field ran it.
 */
const MIGRATIONS: ReadonlyArray<(db: HistoryDb, tx: UpgradeTransaction) => void> = [
  (db) => {
    const events = db.createObjectStore('events', { keyPath: ['c', 'k'] });
    events.createIndex('byId', 'i', { unique: true });
    events.createIndex('byTarget', 't', { multiEntry: true });
    db.createObjectStore('messages');
    db.createObjectStore('conversations');
    db.createObjectStore('outbox');
    db.createObjectStore('kv');
  },
];

/** `onForcedClose`: the connection was closed for another tab's upgrade or wipe, or by the browser. */
export async function openHistoryDb(dbName: string, onForcedClose: () => void): Promise<HistoryDb> {
  if (MIGRATIONS.length !== HISTORY_SCHEMA_VERSION) {
    throw new Error('parley/history: one migration per schema version');
  }
  try {
    const db = await openDB<HistorySchema>(dbName, HISTORY_SCHEMA_VERSION, {
      upgrade(database, oldVersion, newVersion, tx) {
        for (let version = oldVersion + 1; version <= (newVersion ?? 0); version++) {
          MIGRATIONS[version - 1]?.(database, tx);
        }
      },
      blocking() {
        // Another tab wants to upgrade or wipe (sign-out): let it.
        db.close();
        onForcedClose();
      },
      terminated: onForcedClose,
    });
    return db;
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === 'VersionError') {
      throw new HistoryError('HISTORY_VERSION_TOO_NEW', { cause });
    }
    throw new HistoryError('HISTORY_OPEN_FAILED', { cause });
  }
}
