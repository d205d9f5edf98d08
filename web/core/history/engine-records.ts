/**
 * The small records the engine keeps beside the history: per-conversation
 * metadata, the outbox, and opaque engine state (pins, sender-key state,
 * settings). Sealed like everything else; keys are blind indexes, so not
 * even a kv key such as `pin:<username>` reaches the disk in clear.
 */
import { fromB64, fromUtf8, toB64 } from '../../../shared/crypto/encoding.ts';
import type { ChatEvent } from '../../../shared/events/event-schema.ts';
import type { Orderable } from '../../../shared/events/ordering.ts';
import type { SignedEvent } from '../../../shared/events/signed-event.ts';
import type { HistoryDb } from './history-db.ts';
import type { RecordCodec, SealedRecord } from './record-codec.ts';

/** Above every character a storeKey uses: the top of a conversation's key range. */
export const KEY_TOP = '\uffff';

export interface ConversationMeta {
  convId: string;
  lastReadOrderKey: string | null;
  unreadCount: number;
  preview: { eventId: string; authorIk: string; text: string; ts: number } | null;
  /** For sorting the conversation list: ms since epoch. */
  lastActivityTs: number;
}

export interface OutboxEntry {
  convId: string;
  signed: SignedEvent;
  event: ChatEvent;
  /** Recipient device ids that have not acked yet. */
  awaiting: string[];
  attempts: number;
  nextAttemptAt: number;
}

interface SealedOutbox {
  convId: string;
  sig: string;
  bytes: string;
  awaiting: string[];
  attempts: number;
  nextAttemptAt: number;
}

export async function getConversation(
  db: HistoryDb,
  codec: RecordCodec,
  convId: string,
): Promise<ConversationMeta | undefined> {
  const key = codec.convIndex(convId);
  const record = await db.get('conversations', key);
  return record ? codec.openJson<ConversationMeta>('conversations', key, record) : undefined;
}

export async function putConversation(
  db: HistoryDb,
  codec: RecordCodec,
  meta: ConversationMeta,
): Promise<void> {
  const key = codec.convIndex(meta.convId);
  await db.put('conversations', codec.sealJson('conversations', key, meta), key);
}

/** Most recently active first. */
export async function listConversations(
  db: HistoryDb,
  codec: RecordCodec,
): Promise<ConversationMeta[]> {
  const tx = db.transaction('conversations', 'readonly');
  const [keys, records] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
  return records
    .map((record, i) => codec.openJson<ConversationMeta>('conversations', keys[i]!, record))
    .sort((a, b) => b.lastActivityTs - a.lastActivityTs);
}

export function outboxKey(codec: RecordCodec, convId: string, event: Orderable): [string, string] {
  return [codec.convIndex(convId), codec.storeKey(event)];
}

/** An outbox record ready to write, sealed before any transaction opens. */
export interface SealedOutboxRecord {
  key: [string, string];
  record: SealedRecord;
}

export function sealOutbox(codec: RecordCodec, entry: OutboxEntry): SealedOutboxRecord {
  const key = outboxKey(codec, entry.convId, entry.event);
  const sealed: SealedOutbox = {
    convId: entry.convId,
    sig: toB64(entry.signed.sig),
    bytes: toB64(entry.signed.bytes),
    awaiting: entry.awaiting,
    attempts: entry.attempts,
    nextAttemptAt: entry.nextAttemptAt,
  };
  return { key, record: codec.sealJson('outbox', key, sealed) };
}

export async function putOutbox(
  db: HistoryDb,
  codec: RecordCodec,
  entry: OutboxEntry,
): Promise<void> {
  const { key, record } = sealOutbox(codec, entry);
  await db.put('outbox', record, key);
}

/** One conversation's entries oldest first, or every conversation's. */
export async function listOutbox(
  db: HistoryDb,
  codec: RecordCodec,
  convId?: string,
): Promise<OutboxEntry[]> {
  const c = convId === undefined ? undefined : codec.convIndex(convId);
  const range = c === undefined ? undefined : IDBKeyRange.bound([c], [c, KEY_TOP]);
  const tx = db.transaction('outbox', 'readonly');
  const [keys, records] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
  return records.map((record, i) => {
    const s = codec.openJson<SealedOutbox>('outbox', keys[i]!, record);
    const signed = { sig: fromB64(s.sig), bytes: fromB64(s.bytes) };
    return {
      convId: s.convId,
      signed,
      event: JSON.parse(fromUtf8(signed.bytes)) as ChatEvent,
      awaiting: s.awaiting,
      attempts: s.attempts,
      nextAttemptAt: s.nextAttemptAt,
    };
  });
}

export async function removeOutbox(
  db: HistoryDb,
  codec: RecordCodec,
  convId: string,
  event: Orderable,
): Promise<void> {
  await db.delete('outbox', outboxKey(codec, convId, event));
}

export async function kvGet(
  db: HistoryDb,
  codec: RecordCodec,
  key: string,
): Promise<Uint8Array | undefined> {
  const k = codec.kvIndex(key);
  const record = await db.get('kv', k);
  return record ? codec.open('kv', k, record) : undefined;
}

export async function kvPut(
  db: HistoryDb,
  codec: RecordCodec,
  key: string,
  value: Uint8Array,
): Promise<void> {
  const k = codec.kvIndex(key);
  await db.put('kv', codec.seal('kv', k, value), k);
}

export async function kvDelete(db: HistoryDb, codec: RecordCodec, key: string): Promise<void> {
  await db.delete('kv', codec.kvIndex(key));
}
