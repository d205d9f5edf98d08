/**
 * Transport state of our own messages (sent, failed, acked by a device) and
 * the outbox records that move with it. Each call is one transaction; a key
 * we can compute from an event's stamps is computed, not looked up, and
 * everything is sealed or read before the next wave of requests.
 */
import type { Orderable } from '../../../shared/events/ordering.ts';
import { type OutboxEntry, outboxKey, sealOutbox } from './engine-records.ts';
import type { HistoryDb } from './history-db.ts';
import { applyLocal, type LocalUpdate, type MessageView } from './message-view.ts';
import { keyText, type RecordCodec } from './record-codec.ts';

/** What a device's ack changes in the outbox (outbox.ts `takeAcks`). */
export interface OutboxAckWrites {
  /** Entries still waiting for other devices: rewritten. */
  put: OutboxEntry[];
  /** Entries every device has: deleted. */
  remove: OutboxEntry[];
}

/** One message's local state, by the key its event's stamps give. */
export async function updateOwn(
  db: HistoryDb,
  codec: RecordCodec,
  convId: string,
  event: Orderable,
  update: LocalUpdate,
): Promise<MessageView | undefined> {
  const key: [string, string] = [codec.convIndex(convId), codec.storeKey(event)];
  const tx = db.transaction('messages', 'readwrite');
  const record = await tx.store.get(key);
  if (!record) return undefined;
  const view = codec.openJson<MessageView>('messages', key, record);
  const next = applyLocal(view, update);
  if (next !== view) {
    const put = tx.store.put(codec.sealJson('messages', key, next), key);
    tx.commit();
    await put;
  }
  await tx.done;
  return next;
}

/** One device's ack of some of our events. */
export interface DeviceAck {
  deviceId: string;
  ids: readonly string[];
}

/**
 * Devices acked our events: the outbox writes and every acked message's
 * view in one transaction. `known` gives the events whose stamps we hold
 * (our outbox entries; null for one that has no view, such as a reaction);
 * other ids are found through the event-id index. `sent` names messages of
 * ours (in `known`) a transport took since the last batch: their stored
 * state becomes 'sent' in the same write.
 */
export async function recordAcks(
  db: HistoryDb,
  codec: RecordCodec,
  convId: string,
  acks: readonly DeviceAck[],
  known: ReadonlyMap<string, Orderable | null>,
  outbox: OutboxAckWrites,
  sent: ReadonlySet<string> = new Set(),
): Promise<MessageView[]> {
  const convIdx = codec.convIndex(convId);
  const puts = outbox.put.map((entry) => sealOutbox(codec, entry));
  const removes = outbox.remove.map((entry) => outboxKey(codec, entry.convId, entry.event));
  const devicesOf = new Map<string, string[]>();
  for (const { deviceId, ids } of acks) {
    for (const id of ids) {
      const devices = devicesOf.get(id);
      if (devices) devices.push(deviceId);
      else devicesOf.set(id, [deviceId]);
    }
  }
  for (const id of sent) if (!devicesOf.has(id)) devicesOf.set(id, []);
  const knownIds: string[] = [];
  const knownKeys: [string, string][] = [];
  const unknownIds: string[] = [];
  for (const id of devicesOf.keys()) {
    const event = known.get(id);
    if (event === null) continue;
    if (event) {
      knownIds.push(id);
      knownKeys.push([convIdx, codec.storeKey(event)]);
    } else {
      unknownIds.push(id);
    }
  }
  const writesOutbox = puts.length > 0 || removes.length > 0;
  if (!writesOutbox && knownKeys.length === 0 && unknownIds.length === 0) return [];
  const scope: ('events' | 'messages' | 'outbox')[] = ['messages'];
  if (unknownIds.length > 0) scope.push('events');
  if (writesOutbox) scope.push('outbox');
  const tx = db.transaction(scope, 'readwrite');
  try {
    const messages = tx.objectStore('messages');
    const pending: Promise<unknown>[] = [];
    if (writesOutbox) {
      const store = tx.objectStore('outbox');
      for (const { key, record } of puts) pending.push(store.put(record, key));
      for (const key of removes) pending.push(store.delete(key));
    }
    const lookups =
      unknownIds.length > 0
        ? unknownIds.map((id) =>
            tx.objectStore('events').index('byId').getKey(codec.eventIndex(id)),
          )
        : [];
    const knownReads = knownKeys.map((key) => messages.get(key));
    for (const p of [...pending, ...lookups, ...knownReads]) p.catch(() => undefined);
    const resolved = await Promise.all(lookups);
    const foundIds: string[] = [];
    const foundKeys: [string, string][] = [];
    resolved.forEach((key, i) => {
      if (key === undefined || key[0] !== convIdx) return;
      foundIds.push(unknownIds[i] ?? '');
      foundKeys.push(key);
    });
    const foundReads = foundKeys.map((key) => messages.get(key));
    for (const p of foundReads) p.catch(() => undefined);
    const ids = [...knownIds, ...foundIds];
    const keys = [...knownKeys, ...foundKeys];
    const records = await Promise.all([...knownReads, ...foundReads]);
    const changed = new Map<string, { key: [string, string]; view: MessageView }>();
    keys.forEach((key, i) => {
      const record = records[i];
      if (!record) return;
      const text = keyText(key);
      let view = changed.get(text)?.view ?? codec.openJson<MessageView>('messages', key, record);
      const before = view;
      // Only pending moves on to sent: a message marked failed stays so.
      if (sent.has(ids[i] ?? '') && (view.local?.state ?? 'pending') === 'pending') {
        view = applyLocal(view, { kind: 'state', state: 'sent' });
      }
      for (const device of devicesOf.get(ids[i] ?? '') ?? []) {
        view = applyLocal(view, { kind: 'acked', device });
      }
      if (view !== before) changed.set(text, { key, view });
    });
    for (const { key, view } of changed.values()) {
      pending.push(messages.put(codec.sealJson('messages', key, view), key));
    }
    tx.commit();
    await Promise.all(pending);
    await tx.done;
    return [...changed.values()].map((c) => c.view);
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // Already finished or aborted.
    }
    await tx.done.catch(() => undefined);
    throw error;
  }
}
