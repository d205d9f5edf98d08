/**
 * Acks of our events, written in batches. An ack is progress, not content:
 * the outbox stops waiting at once, in memory, and a reload before the
 * write only means the receiver gets the event again and drops it as a
 * duplicate. Batching keeps ack writes out of the way of the stores a
 * conversation in full flow is waiting for (TARGETS.md P3): one transaction
 * per batch instead of two per ack, written when the acks pause (or at the
 * latest `maxDelayMs` after the first), because a batch written mid-flow
 * holds up the next message's store (its transaction shares the messages
 * store): in a 1 000-message ping-pong that was what the slowest 1% waited on.
 *
 * A message's 'sent' state rides along: shown at once, written with the next
 * batch. A reload before that write shows the message as pending, which the
 * outbox makes true again (it resends what no device acked).
 */
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import { HistoryError } from './history/history-error.ts';
import type { HistoryStore } from './history/history-store.ts';
import { isMessageBody, type MessageView } from './history/message-view.ts';
import type { Outbox, OutboxAcks, OutboxEntry } from './outbox.ts';

export const ACK_BATCH = {
  /** A batch is written once no ack (or send) has come for this long… */
  quietMs: 50,
  /** …or this long after its first, whichever is sooner. */
  maxDelayMs: 1_000,
} as const;

export class AckBatch {
  #pending: { deviceId: string; ids: string[]; acks: OutboxAcks }[] = [];
  /** Our messages a transport took since the last batch. */
  #sent: ChatEvent[] = [];
  #flush: Promise<void> | undefined;
  #release: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #firstAtMs = 0;
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
    // Monotonic: a wall clock stepped back must not hold a batch past its cap.
    const nowMs = performance.now();
    if (!this.#flush) {
      this.#firstAtMs = nowMs;
      this.#flush = new Promise<void>((resolve, reject) => {
        this.#release = () => this.#write().then(resolve, reject);
      });
    }
    clearTimeout(this.#timer);
    const latestMs = this.#firstAtMs + ACK_BATCH.maxDelayMs - nowMs;
    this.#timer = setTimeout(
      () => this.#release?.(),
      Math.max(0, Math.min(ACK_BATCH.quietMs, latestMs)),
    );
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
