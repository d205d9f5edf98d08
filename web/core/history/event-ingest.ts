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
import { keyText, type RecordCodec } from './record-codec.ts';

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

export function sealEvent(codec: RecordCodec, convIdx: string, item: StoredEvent): EventRecord {
  const idIdx = codec.eventIndex(item.event.id);
  const k = codec.storeKey(item.event);
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
function addUnlessPresent(store: IDBObjectStore, record: EventRecord): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const request = store.add(record);
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

/**
 * Requests are issued in waves (every add at once, then every lookup of
 * what the new events touch, then the messages to update) instead of one
 * await per request: IndexedDB runs a transaction's requests in order, so
 * later waves see earlier writes, and a batch costs a few round trips to the
 * database instead of three per event. Folding is commutative and idempotent
 * (message-view.ts), so applying the batch as a set gives the same views as
 * applying it one event at a time.
 */
export async function ingestEvents(
  db: HistoryDb,
  codec: RecordCodec,
  convId: string,
  items: readonly IncomingEvent[],
  rules: ViewRules,
): Promise<AddResult> {
  const result: AddResult = { added: [], duplicates: [], rejected: [], changed: [] };
  const convIdx = codec.convIndex(convId);
  const candidates: { item: IncomingEvent; idIdx: string }[] = [];
  for (const item of items) {
    if (!isStoredEvent(item.event)) continue;
    if (item.event.conv !== convId) {
      result.rejected.push({ id: item.event.id, code: 'HISTORY_WRONG_CONVERSATION' });
      continue;
    }
    candidates.push({ item, idIdx: codec.eventIndex(item.event.id) });
  }
  if (candidates.length === 0) return result;

  const tx = db.transaction(['events', 'messages'], 'readwrite');
  const events = tx.objectStore('events');
  const messages = tx.objectStore('messages');
  const byId = events.index('byId');
  const byTarget = events.index('byTarget');
  try {
    const batch: { item: IncomingEvent; idIdx: string; record: EventRecord }[] = [];
    const seenInBatch = new Set<string>();
    for (const c of candidates) {
      if (seenInBatch.has(c.idIdx)) {
        result.duplicates.push(c.item.event.id);
        continue;
      }
      seenInBatch.add(c.idIdx);
      batch.push({ ...c, record: sealEvent(codec, convIdx, c.item) });
    }

    // Wave 1: store them (a copy we hold already fails its add, harmlessly);
    // wave 2, queued behind: what did they wait for, what do they touch?
    const rawEvents = unwrap(events);
    const adds = batch.map((b) => addUnlessPresent(rawEvents, b.record));
    const waitingFor = batch.map((b) =>
      isMessageBody(b.item.event.body) ? byTarget.getAll(`${convIdx}/${b.idIdx}`) : undefined,
    );
    const targetIds = [...new Set(batch.flatMap((b) => targetsOf(b.item.event.body)))];
    const targetKeys = targetIds.map((id) => byId.getKey(codec.eventIndex(id)));
    // If a request fails the transaction aborts and every later one rejects
    // too; the first failure is the one reported (below), not the echoes.
    for (const p of [...waitingFor, ...targetKeys]) p?.catch(() => undefined);
    const stored = await Promise.all(adds);
    batch.forEach((b, i) => {
      if (stored[i]) result.added.push(b.item.event);
      else result.duplicates.push(b.item.event.id);
    });
    const fresh = batch.filter((_, i) => stored[i]);
    const texts = fresh.filter((f) => isMessageBody(f.item.event.body));
    const others = fresh.filter((f) => !isMessageBody(f.item.event.body));
    const views = new Map<string, { key: [string, string]; view: MessageView }>();
    const waiting = await Promise.all(waitingFor);
    const waitingByIdIdx = new Map(batch.map((b, i) => [b.idIdx, waiting[i] ?? []]));
    for (const t of texts) {
      const key: [string, string] = [convIdx, t.record.k];
      let view = textView(t.item.event, t.item.local === true);
      // Whatever arrived before this message (this batch included) and waited for it.
      for (const record of waitingByIdIdx.get(t.idIdx) ?? []) {
        if (record.c === convIdx) view = applyToView(view, openEvent(codec, record).event, rules);
      }
      views.set(keyText(key), { key, view });
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
      views.set(keyText(key), { key, view });
      unchanged.set(keyText(key), view);
    });

    for (const other of others) {
      for (const target of targetsOf(other.item.event.body)) {
        const entry = views.get(viewOfTarget.get(target) ?? '');
        if (entry) entry.view = applyToView(entry.view, other.item.event, rules);
      }
    }

    const puts: Promise<unknown>[] = [];
    for (const [text, { key, view }] of views) {
      if (unchanged.get(text) === view) continue;
      puts.push(messages.put(codec.sealJson('messages', key, view), key));
      result.changed.push(view);
    }
    await Promise.all(puts);
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
