/**
 * Acks of our events, written in batches. An ack is progress, not content:
 * the outbox stops waiting at once, in memory, and a reload before the
 * write only means the receiver gets the event again and drops it as a
 * duplicate. Batching keeps ack writes out of the way of the stores a
 * conversation in full flow is waiting for (TARGETS.md P3): one transaction
 * per batch instead of two per ack. (Waiting for a pause in the acks, up to
 * a second, made the batches bigger and the slowest 1% of P3 slower: a big
 * batch holds the messages store longer, and the next message's store
 * waits behind it. Small batches at a fixed beat it: p99 9–11 ms against
 * 14–16 ms, same box, same run.)
 *
 * A message's 'sent' state rides along: shown at once, written with the next
 * batch. If that write never happens (the page closed first), the first ack
 * stored marks the message sent (message-view.ts `applyLocal`); closing the
 * conversation writes the batch at once.
 */
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import { HistoryError } from './history/history-error.ts';
import type { HistoryStore } from './history/history-store.ts';
import { isMessageBody, type MessageView } from './history/message-view.ts';
import type { Outbox, OutboxAcks, OutboxEntry } from './outbox.ts';

export const ACK_BATCH = {
  /** A batch is written this long after its first ack (or send). */
  flushMs: 50,
} as const;

export class AckBatch {
  #pending: { deviceId: string; ids: string[]; acks: OutboxAcks }[] = [];
  /** Our messages a transport took since the last batch. */
  #sent: ChatEvent[] = [];
  #flush: Promise<void> | undefined;
  #release: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #convId: string;
  readonly #history: HistoryStore;
  readonly #outbox: Outbox;
  readonly #onWritten: (changed: MessageView[]) => void;

  /** `onWritten`: the views as stored, once a batch is written. */
  constructor(
    convId: string,
    history: HistoryStore,
    outbox: Outbox,
    onWritten: (changed: MessageView[]) => void,
  ) {
    this.#convId = convId;
    this.#history = history;
    this.#outbox = outbox;
    this.#onWritten = onWritten;
  }

  /** Takes the ack into the outbox now; resolves once its batch is written. */
  add(deviceId: string, ids: string[]): Promise<void> {
    this.#pending.push({ deviceId, ids, acks: this.#outbox.takeAcks(deviceId, ids) });
    return this.#schedule();
  }

  /** A transport took our message: its stored state becomes 'sent' with the next batch. */
  sent(event: ChatEvent): Promise<void> {
    this.#sent.push(event);
    return this.#schedule();
  }

  /** Writes the batch now, its transaction opened before this returns (the page is closing). */
  flushNow(): void {
    clearTimeout(this.#timer);
    this.#release?.();
  }

  #schedule(): Promise<void> {
    if (!this.#flush) {
      this.#flush = new Promise<void>((resolve, reject) => {
        this.#release = () => this.#write().then(resolve, reject);
      });
      this.#timer = setTimeout(() => this.#release?.(), ACK_BATCH.flushMs);
    }
    return this.#flush;
  }

  async #write(): Promise<void> {
    const batch = this.#pending;
    const sentEvents = this.#sent;
    this.#pending = [];
    this.#sent = [];
    this.#flush = undefined;
    this.#release = undefined;
    const known = new Map<string, ChatEvent | null>();
    for (const event of sentEvents) known.set(event.id, event);
    const put = new Map<string, OutboxEntry>();
    const remove = new Map<string, OutboxEntry>();
    for (const { acks } of batch) {
      for (const { convId, event } of acks.delivered) {
        if (convId === this.#convId) known.set(event.id, isMessageBody(event.body) ? event : null);
      }
      for (const entry of acks.put) put.set(entry.event.id, entry);
      for (const entry of acks.remove) remove.set(entry.event.id, entry);
    }
    // An entry rewritten by one ack and completed by a later one is deleted;
    // one dropped or forgotten meanwhile was deleted by that path already.
    for (const id of put.keys()) {
      if (remove.has(id) || !this.#outbox.tracks(id)) put.delete(id);
    }
    let changed: MessageView[];
    try {
      changed = await this.#history.recordAcks(
        this.#convId,
        batch,
        known,
        { put: [...put.values()], remove: [...remove.values()] },
        new Set(sentEvents.map((e) => e.id)),
      );
    } catch (error) {
      // Signed out or reloading while the batch waited: nothing left to write to.
      if (error instanceof HistoryError && error.code === 'HISTORY_CLOSED') return;
      throw error;
    }
    for (const { deviceId, acks } of batch) this.#outbox.acksStored(deviceId, acks);
    this.#onWritten(changed);
  }
}
