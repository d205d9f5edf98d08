/**
 * The client's encrypted history (ARCHITECTURE.md "History"): the API the
 * engine calls. Reads fetch one conversation's key range newest first, in
 * one request where the browser allows (newest-records.ts), and decrypt only
 * what they return: opening a room with 10 000 messages costs the 100 it
 * shows (TARGETS.md P6). Sign-out calls `wipe()`.
 */
import { deleteDB } from 'idb';
import type { Orderable } from '../../../shared/events/ordering.ts';
import * as records from './engine-records.ts';
import { type ConversationMeta, KEY_TOP, type OutboxEntry } from './engine-records.ts';
import {
  type AddResult,
  type IncomingEvent,
  ingestEvents,
  openEvent,
  type StoredEvent,
} from './event-ingest.ts';
import { type HistoryDb, openHistoryDb } from './history-db.ts';
import { HistoryError } from './history-error.ts';
import type { DeviceAck, OutboxAckWrites } from './local-state.ts';
import * as localState from './local-state.ts';
import {
  applyLocal,
  type LocalUpdate,
  type MessageView,
  NO_MODERATORS,
  type ViewRules,
} from './message-view.ts';
import { newestRecords } from './newest-records.ts';
import { RecordCodec } from './record-codec.ts';

/** Tuning limits. */
export const HISTORY_LIMITS = {
  maxPageSize: 1_000,
  defaultFindLimit: 50,
  /** Records `find` reads (and decrypts) per request. */
  findBatchSize: 256,
} as const;

/** at-rest.ts key sizes: XChaCha20-Poly1305 key, generichash key. */
const DEK_BYTES = 32;
const INDEX_KEY_BYTES = 32;

export interface HistoryOpenOptions {
  dbName: string;
  /** Record key (at-rest.ts `newDataKey`); copied, and the copy wiped on close. */
  dek: Uint8Array;
  /** Blind-index key; copied likewise. */
  indexKey: Uint8Array;
}

export type { ConversationMeta, DeviceAck, OutboxAckWrites, OutboxEntry };

export class HistoryStore {
  readonly dbName: string;
  #db: HistoryDb | undefined;
  readonly #codec: RecordCodec;

  private constructor(dbName: string, db: HistoryDb, codec: RecordCodec) {
    this.dbName = dbName;
    this.#db = db;
    this.#codec = codec;
  }

  static async open(options: HistoryOpenOptions): Promise<HistoryStore> {
    if (options.dek.length !== DEK_BYTES || options.indexKey.length !== INDEX_KEY_BYTES) {
      throw new HistoryError('HISTORY_BAD_KEY');
    }
    let store: HistoryStore | undefined;
    const db = await openHistoryDb(options.dbName, () => store?.close());
    store = new HistoryStore(options.dbName, db, new RecordCodec(options.dek, options.indexKey));
    return store;
  }

  get #open(): HistoryDb {
    if (!this.#db) throw new HistoryError('HISTORY_CLOSED');
    return this.#db;
  }

  /**
   * Stores verified events of one conversation and folds them into its
   * messages, in one transaction. Ephemeral events are skipped; an event
   * naming another conversation is rejected.
   */
  addEvents(
    convId: string,
    items: readonly IncomingEvent[],
    rules: ViewRules = NO_MODERATORS,
  ): Promise<AddResult> {
    return ingestEvents(this.#open, this.#codec, convId, items, rules);
  }

  /**
   * Our own new event and its outbox entry (none when no device waits for
   * it) in one transaction: stored, then sent (outbox.ts). Both are sealed
   * before the transaction opens.
   */
  addOwnEvent(
    convId: string,
    item: StoredEvent,
    outbox: OutboxEntry | undefined,
    rules: ViewRules = NO_MODERATORS,
  ): Promise<AddResult> {
    if (outbox && (outbox.convId !== convId || outbox.event.id !== item.event.id)) {
      return Promise.reject(new HistoryError('HISTORY_WRONG_CONVERSATION'));
    }
    const extras = outbox ? { outbox: records.sealOutbox(this.#codec, outbox) } : {};
    return ingestEvents(this.#open, this.#codec, convId, [{ ...item, local: true }], rules, extras);
  }

  async hasEvent(eventId: string): Promise<boolean> {
    const key = await this.#open.getKeyFromIndex('events', 'byId', this.#codec.eventIndex(eventId));
    return key !== undefined;
  }

  async message(convId: string, eventId: string): Promise<MessageView | undefined> {
    const db = this.#open;
    const key = await db.getKeyFromIndex('events', 'byId', this.#codec.eventIndex(eventId));
    if (!key || key[0] !== this.#codec.convIndex(convId)) return undefined;
    const record = await db.get('messages', key);
    return record ? this.#codec.openJson<MessageView>('messages', key, record) : undefined;
  }

  /** Outbox progress on our own message (sent, failed, acked by a device). */
  async updateLocal(
    convId: string,
    eventId: string,
    update: LocalUpdate,
  ): Promise<MessageView | undefined> {
    const tx = this.#open.transaction(['events', 'messages'], 'readwrite');
    const key = await tx
      .objectStore('events')
      .index('byId')
      .getKey(this.#codec.eventIndex(eventId));
    if (!key || key[0] !== this.#codec.convIndex(convId)) return undefined;
    const messages = tx.objectStore('messages');
    const record = await messages.get(key);
    if (!record) return undefined;
    const view = this.#codec.openJson<MessageView>('messages', key, record);
    const next = applyLocal(view, update);
    if (next !== view) await messages.put(this.#codec.sealJson('messages', key, next), key);
    await tx.done;
    return next;
  }

  /**
   * updateLocal for an event whose stamps we hold (we just wrote it): its
   * key follows from them, so the index is not consulted.
   */
  updateOwn(
    convId: string,
    event: Orderable,
    update: LocalUpdate,
  ): Promise<MessageView | undefined> {
    return localState.updateOwn(this.#open, this.#codec, convId, event, update);
  }

  /**
   * Devices acked our events: the outbox writes (outbox.ts `takeAcks`) and
   * the acked messages' views in one transaction, with the 'sent' state of
   * the messages named in `sent`. Returns the views changed.
   */
  recordAcks(
    convId: string,
    acks: readonly DeviceAck[],
    known: ReadonlyMap<string, Orderable | null>,
    outbox: OutboxAckWrites,
    sent?: ReadonlySet<string>,
  ): Promise<MessageView[]> {
    return localState.recordAcks(this.#open, this.#codec, convId, acks, known, outbox, sent);
  }

  /**
   * Newest first. For the next older page pass the last message's orderKey
   * as `before`; pages neither overlap nor skip.
   */
  async page(convId: string, options: { before?: string; limit: number }): Promise<MessageView[]> {
    const limit = Math.min(Math.max(0, Math.floor(options.limit)), HISTORY_LIMITS.maxPageSize);
    const out: MessageView[] = [];
    if (limit === 0) return out;
    await this.#scanMessages(convId, options.before, limit, (view) => {
      out.push(view);
      return out.length < limit;
    });
    return out;
  }

  /**
   * Messages whose text contains `query`, ignoring case, newest first. There
   * is no text index (it would be plaintext on disk), so this decrypts its way
   * back through the conversation and stops at `limit`.
   */
  async find(
    convId: string,
    query: string,
    options: { limit?: number; before?: string } = {},
  ): Promise<MessageView[]> {
    const needle = query.toLowerCase();
    const limit = options.limit ?? HISTORY_LIMITS.defaultFindLimit;
    const out: MessageView[] = [];
    if (needle.length === 0 || limit <= 0) return out;
    await this.#scanMessages(convId, options.before, HISTORY_LIMITS.findBatchSize, (view) => {
      if (view.deleted === null && view.text.toLowerCase().includes(needle)) out.push(view);
      return out.length < limit;
    });
    return out;
  }

  /**
   * Walks one conversation newest first, `batchSize` records per request,
   * until `visit` says stop or the conversation ends.
   */
  async #scanMessages(
    convId: string,
    before: string | undefined,
    batchSize: number,
    visit: (view: MessageView) => boolean,
  ): Promise<void> {
    const c = this.#codec.convIndex(convId);
    let upper: [string, string] = [
      c,
      before === undefined ? KEY_TOP : this.#codec.positionKey(before),
    ];
    const tx = this.#open.transaction('messages', 'readonly');
    for (;;) {
      const range = IDBKeyRange.bound([c], upper, false, true);
      const batch = await newestRecords(tx.store, range, batchSize);
      for (const record of batch) {
        upper = record.primaryKey as [string, string];
        if (!visit(this.#codec.openJson<MessageView>('messages', upper, record.value))) return;
      }
      if (batch.length < batchSize) return;
    }
  }

  /**
   * Raw signed events after `since` (an orderKey; null for all), oldest
   * first, for a member backfilling. Events stamped equal to `since` are
   * included (the receiver de-duplicates), so none is ever skipped.
   */
  async eventsSince(
    convId: string,
    since: string | null,
    options: { limit?: number } = {},
  ): Promise<StoredEvent[]> {
    const c = this.#codec.convIndex(convId);
    const lower = since === null ? [c] : [c, this.#codec.stampFloor(since)];
    const range = IDBKeyRange.bound(lower, [c, KEY_TOP]);
    const records = await this.#open.getAll('events', range, options.limit);
    const sinceId = since === null ? undefined : since.slice(since.lastIndexOf('.') + 1);
    return records
      .map((record) => openEvent(this.#codec, record))
      .filter((stored) => stored.event.id !== sinceId);
  }

  getConversation(convId: string): Promise<ConversationMeta | undefined> {
    return records.getConversation(this.#open, this.#codec, convId);
  }

  putConversation(meta: ConversationMeta): Promise<void> {
    return records.putConversation(this.#open, this.#codec, meta);
  }

  /** Most recently active first. */
  listConversations(): Promise<ConversationMeta[]> {
    return records.listConversations(this.#open, this.#codec);
  }

  putOutbox(entry: OutboxEntry): Promise<void> {
    return records.putOutbox(this.#open, this.#codec, entry);
  }

  /** One conversation's entries oldest first, or every conversation's. */
  listOutbox(convId?: string): Promise<OutboxEntry[]> {
    return records.listOutbox(this.#open, this.#codec, convId);
  }

  /** `event`: the entry's event, or just its id and stamps. */
  removeOutbox(convId: string, event: Orderable): Promise<void> {
    return records.removeOutbox(this.#open, this.#codec, convId, event);
  }

  /** Opaque engine state; the key is blind-indexed, the value sealed. */
  kvGet(key: string): Promise<Uint8Array | undefined> {
    return records.kvGet(this.#open, this.#codec, key);
  }

  kvPut(key: string, value: Uint8Array): Promise<void> {
    return records.kvPut(this.#open, this.#codec, key, value);
  }

  kvDelete(key: string): Promise<void> {
    return records.kvDelete(this.#open, this.#codec, key);
  }

  /** Closes the database and wipes this store's copy of the keys. Idempotent. */
  close(): void {
    if (!this.#db) return;
    this.#db.close();
    this.#db = undefined;
    this.#codec.close();
  }

  /** Sign-out: closes and deletes the whole database. */
  async wipe(): Promise<void> {
    this.close();
    await deleteDB(this.dbName);
  }
}
