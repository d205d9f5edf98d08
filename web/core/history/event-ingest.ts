/**
 * Stores a batch of received events and updates the materialized messages in
 * one transaction: either the whole batch lands, with every view it changes,
 * or nothing does. Crypto is synchronous, so the transaction never waits on
 * anything but IndexedDB and cannot auto-commit halfway.
 */
import { unwrap } from 'idb';
import { frame, fromUtf8, unframe } from '../../../shared/crypto/encoding.ts';
import type { ChatEvent } from '../../../shared/events/event-schema.ts';
import type { SignedEvent } from '../../../shared/events/signed-event.ts';
import type { SealedOutboxRecord } from './engine-records.ts';
import type { EventRecord, HistoryDb } from './history-db.ts';
import { HistoryError, type HistoryErrorCode } from './history-error.ts';
import {
  applyToView,
  isMessageBody,
  isStoredEvent,
  type MessageView,
  targetsOf,
  textView,
  type ViewRules,
} from './message-view.ts';
import { keyText, type RecordCodec, type SealedRecord } from './record-codec.ts';

export interface IncomingEvent {
  signed: SignedEvent;
  /** The verified, parsed form of `signed` (verifyEvent's output). */
  event: ChatEvent;
  /** True for an event this device just authored: its message starts as `pending`. */
  local?: boolean;
}

export interface StoredEvent {
  signed: SignedEvent;
  event: ChatEvent;
}

export interface AddResult {
  /** Events stored for the first time, in input order. */
  added: ChatEvent[];
  /** Ids already stored (or repeated within the batch). */
  duplicates: string[];
  rejected: { id: string; code: HistoryErrorCode }[];
  /** Messages created or changed by the batch, as they are now. */
  changed: MessageView[];
}

export function sealEvent(
  codec: RecordCodec,
  convIdx: string,
  item: StoredEvent,
  idIdx: string = codec.eventIndex(item.event.id),
): EventRecord {
  const k = codec.storeKeyWithIndex(item.event, idIdx);
  const targets = targetsOf(item.event.body).map((t) => `${convIdx}/${codec.eventIndex(t)}`);
  const sealed = codec.seal('events', [convIdx, k], frame(item.signed.sig, item.signed.bytes));
  const record: EventRecord = { c: convIdx, k, i: idIdx, ...sealed };
  if (targets.length > 0) record.t = targets;
  return record;
}

export function openEvent(codec: RecordCodec, record: EventRecord): StoredEvent {
  const plain = codec.open('events', [record.c, record.k], record);
  try {
    const [sig, bytes, ...rest] = unframe(plain);
    if (!sig || !bytes || rest.length > 0) throw new RangeError('bad event record');
    const event = JSON.parse(fromUtf8(bytes)) as ChatEvent;
    return { signed: { sig: sig.slice(), bytes: bytes.slice() }, event };
  } catch (cause) {
    throw new HistoryError('HISTORY_RECORD_CORRUPT', { cause });
  }
}

/**
 * `add` that reports a record we already hold (same key, or same event id:
 * the unique index) as false instead of failing: de-duplication costs no
 * extra lookup. The error is consumed before it reaches the transaction,
 * which would otherwise abort the whole batch.
 */
function addUnlessPresent(
  store: IDBObjectStore,
  value: unknown,
  key?: IDBValidKey,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const request = key === undefined ? store.add(value) : store.add(value, key);
    request.onsuccess = () => resolve(true);
    request.onerror = (event) => {
      if (request.error?.name !== 'ConstraintError') {
        reject(request.error);
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      resolve(false);
    };
  });
}

/** Written in the same transaction as the events. */
export interface IngestExtras {
  /** The outbox entry of our own event: stored together, then sent. */
  outbox?: SealedOutboxRecord;
}

/** A message's view written with its event in the first wave (see ingestEvents). */
interface EarlyView {
  key: [string, string];
  view: MessageView;
  record: SealedRecord;
  added: Promise<boolean>;
}

interface BatchItem {
  item: IncomingEvent;
  idIdx: string;
  record: EventRecord;
  early?: EarlyView;
}

/**
 * Requests are issued in waves (every add at once, then every lookup of
 * what the new events touch, then the messages to update) instead of one
 * await per request: IndexedDB runs a transaction's requests in order, so
 * later waves see earlier writes, and a batch costs a few round trips to the
 * database instead of three per event. Folding is commutative and idempotent
 * (message-view.ts), so applying the batch as a set gives the same views as
 * applying it one event at a time.
 *
 * Everything is sealed before the transaction opens (crypto is synchronous,
 * but it is the engine's work that a transaction would otherwise hold open).
 * A message nothing else in the batch changes is written in the first wave,
 * beside its event, with `add` (a copy we hold keeps its view); a later wave
 * rewrites it only if something stored earlier was waiting for it. Our own
 * fresh message (`local`) reads nothing at all: no one can have referred to
 * an id no one has seen, so the transaction commits as soon as its writes
 * are queued, in one round trip to the database.
 */
export async function ingestEvents(
  db: HistoryDb,
  codec: RecordCodec,
  convId: string,
  items: readonly IncomingEvent[],
  rules: ViewRules,
  extras: IngestExtras = {},
): Promise<AddResult> {
  const result: AddResult = { added: [], duplicates: [], rejected: [], changed: [] };
  const convIdx = codec.convIndex(convId);
  const batch: BatchItem[] = [];
  const seenInBatch = new Set<string>();
  for (const item of items) {
    if (!isStoredEvent(item.event)) continue;
    if (item.event.conv !== convId) {
      result.rejected.push({ id: item.event.id, code: 'HISTORY_WRONG_CONVERSATION' });
      continue;
    }
    const idIdx = codec.eventIndex(item.event.id);
    if (seenInBatch.has(idIdx)) {
      result.duplicates.push(item.event.id);
      continue;
    }
    seenInBatch.add(idIdx);
    batch.push({ item, idIdx, record: sealEvent(codec, convIdx, item, idIdx) });
  }
  if (batch.length === 0 && !extras.outbox) return result;

  const targetIds = [...new Set(batch.flatMap((b) => targetsOf(b.item.event.body)))];
  const targetedInBatch = new Set(targetIds);
  const earlyViews = batch.map((b) => {
    const event = b.item.event;
    if (!isMessageBody(event.body) || targetedInBatch.has(event.id)) return undefined;
    const key: [string, string] = [convIdx, b.record.k];
    const view = textView(event, b.item.local === true);
    return { key, view, record: codec.sealJson('messages', key, view) };
  });
  const writeOnly =
    targetIds.length === 0 && batch.every((b, i) => b.item.local === true && earlyViews[i]);

  const scope: ('events' | 'messages' | 'outbox')[] = extras.outbox
    ? ['events', 'messages', 'outbox']
    : ['events', 'messages'];
  const tx = db.transaction(scope, 'readwrite');
  const events = tx.objectStore('events');
  const messages = tx.objectStore('messages');
  const byId = events.index('byId');
  const byTarget = events.index('byTarget');
  try {
    // Wave 1: store them (a copy we hold already fails its add, harmlessly),
    // with the views of new messages and the outbox entry; wave 2, queued
    // behind: what did they wait for, what do they touch?
    const rawEvents = unwrap(events);
    const rawMessages = unwrap(messages);
    const adds = batch.map((b) => addUnlessPresent(rawEvents, b.record));
    batch.forEach((b, i) => {
      const early = earlyViews[i];
      if (early)
        b.early = { ...early, added: addUnlessPresent(rawMessages, early.record, early.key) };
    });
    const outboxPut = extras.outbox
      ? tx.objectStore('outbox').put(extras.outbox.record, extras.outbox.key)
      : undefined;
    const waitingFor = batch.map((b) =>
      isMessageBody(b.item.event.body) && b.item.local !== true
        ? byTarget.getAll(`${convIdx}/${b.idIdx}`)
        : undefined,
    );
    const targetKeys = targetIds.map((id) => byId.getKey(codec.eventIndex(id)));
    if (writeOnly) tx.commit();
    // If a request fails the transaction aborts and every later one rejects
    // too; the first failure is the one reported (below), not the echoes.
    for (const p of [
      ...waitingFor,
      ...targetKeys,
      outboxPut,
      ...batch.map((b) => b.early?.added),
    ]) {
      p?.catch(() => undefined);
    }
    const stored = await Promise.all(adds);
    batch.forEach((b, i) => {
      if (stored[i]) result.added.push(b.item.event);
      else result.duplicates.push(b.item.event.id);
    });
    const fresh = batch.filter((_, i) => stored[i]);
    const texts = fresh.filter((f) => isMessageBody(f.item.event.body));
    const others = fresh.filter((f) => !isMessageBody(f.item.event.body));
    const views = new Map<string, { key: [string, string]; view: MessageView; written: boolean }>();
    const waiting = await Promise.all(waitingFor);
    const waitingByIdIdx = new Map(batch.map((b, i) => [b.idIdx, waiting[i] ?? []]));
    for (const t of texts) {
      const key: [string, string] = [convIdx, t.record.k];
      const early = t.early;
      let view = early?.view ?? textView(t.item.event, t.item.local === true);
      // Whatever arrived before this message (this batch included) and waited for it.
      for (const record of waitingByIdIdx.get(t.idIdx) ?? []) {
        if (record.c === convIdx) view = applyToView(view, openEvent(codec, record).event, rules);
      }
      const written = early !== undefined && view === early.view && (await early.added);
      views.set(keyText(key), { key, view, written });
    }

    // Wave 3: the stored messages the rest of the batch changes.
    const resolved = await Promise.all(targetKeys);
    const viewOfTarget = new Map<string, string>();
    const toLoad = new Map<string, [string, string]>();
    targetIds.forEach((id, i) => {
      const key = resolved[i];
      // Unknown targets wait in `events`, indexed by target; other conversations never match.
      if (!key || key[0] !== convIdx) return;
      viewOfTarget.set(id, keyText(key));
      if (!views.has(keyText(key))) toLoad.set(keyText(key), key);
    });
    const loadKeys = [...toLoad.values()];
    const loaded = await Promise.all(loadKeys.map((key) => messages.get(key)));
    const unchanged = new Map<string, MessageView>();
    loadKeys.forEach((key, i) => {
      const record = loaded[i];
      if (!record) return; // the target is not a text message
      const view = codec.openJson<MessageView>('messages', key, record);
      views.set(keyText(key), { key, view, written: false });
      unchanged.set(keyText(key), view);
    });

    for (const other of others) {
      for (const target of targetsOf(other.item.event.body)) {
        const entry = views.get(viewOfTarget.get(target) ?? '');
        if (entry) entry.view = applyToView(entry.view, other.item.event, rules);
      }
    }

    const puts: Promise<unknown>[] = [];
    for (const [text, { key, view, written }] of views) {
      if (unchanged.get(text) === view) continue;
      if (!written) puts.push(messages.put(codec.sealJson('messages', key, view), key));
      result.changed.push(view);
    }
    // The last wave is queued: commit now rather than after a round trip back here.
    if (!writeOnly) tx.commit();
    await Promise.all(puts);
    await outboxPut;
    await tx.done;
  } catch (error) {
    // Abort so a half-applied batch never commits; the caller may retry it.
    try {
      tx.abort();
    } catch {
      // Already finished or aborted.
    }
    await tx.done.catch(() => undefined);
    throw error;
  }
  return result;
}
