/**
 * How history records look on disk: every value sealed with the data key and
 * bound to (store, primary key, schema version), every key that would name a
 * conversation, an event or a kv entry replaced by its blind index
 * (CRYPTO.md "History at rest"). A raw dump shows sizes, counts and Lamport
 * and clock stamps, nothing a user wrote or whom they wrote to.
 */
import { blindIndex, decryptRecord, encryptRecord } from '../../../shared/crypto/at-rest.ts';
import { HISTORY_BLIND_INDEX } from '../../../shared/crypto/constants.ts';
import { fromUtf8, toB64, utf8 } from '../../../shared/crypto/encoding.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { type Orderable, orderKey } from '../../../shared/events/ordering.ts';
import { HistoryError } from './history-error.ts';

/** Schema of the database and of the records in it; part of every record's AD. */
export const HISTORY_SCHEMA_VERSION = 1;

export type HistoryStoreName = 'events' | 'messages' | 'conversations' | 'outbox' | 'kv';
export type HistoryKey = string | [string, string];

/** `v` is the schema version the record was sealed under (its AD says so too). */
export interface SealedRecord {
  v: number;
  s: Uint8Array;
}

const ORDER_KEY_PATTERN = /^([0-9a-z]{11})\.([0-9a-z]{9})\.([A-Za-z0-9_-]{1,64})$/;

/** Parts of a compound key are blind indexes and stamps: none contains '/'. */
export function keyText(key: HistoryKey): string {
  return typeof key === 'string' ? key : `${key[0]}/${key[1]}`;
}

export class RecordCodec {
  readonly #dek: Uint8Array;
  #closed = false;
  readonly #indexKey: Uint8Array;

  /** Copies the keys, so `close()` can wipe them without touching the caller's. */
  constructor(dek: Uint8Array, indexKey: Uint8Array) {
    this.#dek = dek.slice();
    this.#indexKey = indexKey.slice();
  }

  convIndex(convId: string): string {
    this.#checkOpen();
    return toB64(blindIndex(this.#indexKey, convId));
  }

  eventIndex(eventId: string): string {
    this.#checkOpen();
    return toB64(blindIndex(this.#indexKey, HISTORY_BLIND_INDEX.eventId + eventId));
  }

  kvIndex(key: string): string {
    this.#checkOpen();
    return toB64(blindIndex(this.#indexKey, HISTORY_BLIND_INDEX.kvKey + key));
  }

  /**
   * The orderKey with the event id replaced by its blind index. Sorts like
   * compareEvents except among events with equal Lamport stamp *and* clock,
   * which sort by index instead of id: the same on every read of this
   * database, which is all paging needs.
   */
  storeKey(event: Orderable): string {
    return this.storeKeyWithIndex(event, this.eventIndex(event.id));
  }

  /** storeKey when the caller already holds `eventIndex(event.id)`: one keyed hash fewer. */
  storeKeyWithIndex(event: Orderable, idIdx: string): string {
    const key = orderKey(event);
    return key.slice(0, key.lastIndexOf('.') + 1) + idIdx;
  }

  /** storeKey for a caller-supplied orderKey (a paging position). */
  positionKey(position: string): string {
    const m = ORDER_KEY_PATTERN.exec(position);
    if (!m) throw new HistoryError('HISTORY_BAD_POSITION');
    return `${m[1]}.${m[2]}.${this.eventIndex(m[3]!)}`;
  }

  /** The smallest storeKey with the same stamps as `position`: ties included. */
  stampFloor(position: string): string {
    const m = ORDER_KEY_PATTERN.exec(position);
    if (!m) throw new HistoryError('HISTORY_BAD_POSITION');
    return `${m[1]}.${m[2]}.`;
  }

  seal(store: HistoryStoreName, key: HistoryKey, plaintext: Uint8Array): SealedRecord {
    this.#checkOpen();
    return {
      v: HISTORY_SCHEMA_VERSION,
      s: encryptRecord(this.#dek, store, keyText(key), HISTORY_SCHEMA_VERSION, plaintext),
    };
  }

  open(store: HistoryStoreName, key: HistoryKey, record: unknown): Uint8Array {
    this.#checkOpen();
    if (!isSealedRecord(record)) throw new HistoryError('HISTORY_RECORD_CORRUPT');
    const opened = decryptRecord(this.#dek, store, keyText(key), record.v, record.s);
    if (!opened.ok) throw new HistoryError('HISTORY_RECORD_CORRUPT');
    return opened.value;
  }

  sealJson(store: HistoryStoreName, key: HistoryKey, value: unknown): SealedRecord {
    return this.seal(store, key, utf8(JSON.stringify(value)));
  }

  /** The JSON was sealed by this code under this key: authenticity stands in for validation. */
  openJson<T>(store: HistoryStoreName, key: HistoryKey, record: unknown): T {
    const bytes = this.open(store, key, record);
    try {
      return JSON.parse(fromUtf8(bytes)) as T;
    } catch (cause) {
      throw new HistoryError('HISTORY_RECORD_CORRUPT', { cause });
    }
  }

  /**
   * An operation still in flight when the store closed must fail as closed:
   * with the keys wiped, decrypting would report every record as corrupt.
   */
  #checkOpen(): void {
    if (this.#closed) throw new HistoryError('HISTORY_CLOSED');
  }

  close(): void {
    this.#closed = true;
    sodium().memzero(this.#dek);
    sodium().memzero(this.#indexKey);
  }
}

function isSealedRecord(value: unknown): value is SealedRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<SealedRecord>;
  return (
    typeof r.v === 'number' &&
    Number.isSafeInteger(r.v) &&
    r.v >= 1 &&
    r.v <= HISTORY_SCHEMA_VERSION &&
    r.s instanceof Uint8Array
  );
}
