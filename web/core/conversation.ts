/**
 * What rooms and DMs have in common above their transports: events we write
 * get a Lamport stamp, a signature, a place in history, an outbox entry, and
 * then go out; events we receive (already verified by the room or DM
 * session) are ordered, stored, de-duplicated and acknowledged. The visible
 * window of messages is a signal the UI renders; history stays on disk.
 */
import { type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import { toB64 } from '../../shared/crypto/encoding.ts';
import type { SigningKeyPair } from '../../shared/crypto/keys.ts';
import {
  type ChatEvent,
  EPHEMERAL_EVENT_TYPES,
  type EventBody,
} from '../../shared/events/event-schema.ts';
import { compareEvents, LamportClock } from '../../shared/events/ordering.ts';
import { newEventId, type SignedEvent, signEvent } from '../../shared/events/signed-event.ts';
import { AckBatch } from './ack-batch.ts';
import { Emitter } from './emitter.ts';
import type { AddResult } from './history/event-ingest.ts';
import type { HistoryStore } from './history/history-store.ts';
import {
  applyLocal,
  isMessageBody,
  type MessageView,
  type ViewRules,
} from './history/message-view.ts';
import type { Outbox } from './outbox.ts';

export const CONVERSATION_DEFAULTS = {
  /** Messages loaded when a conversation opens (TARGETS.md P6: newest 100). */
  pageSize: 100,
  /** A typing indicator without a refresh disappears after this long. */
  typingTtlMs: 6_000,
} as const;

/** What a room or DM session offers the conversation. */
export interface ConversationTransport {
  /** Sends an event we wrote to every device reachable now; returns their ids. */
  send(signed: SignedEvent, event: ChatEvent): Promise<string[]> | string[];
  /** Sends it again to one device (its link just opened). */
  resendTo(deviceId: string, signed: SignedEvent, event: ChatEvent): boolean;
  ack(deviceId: string, ids: string[]): void;
  typing(on: boolean): void;
  /** Devices that should end up with our events (outbox recipients). */
  recipients(): string[];
}

export interface ConversationOptions {
  convId: string;
  kind: 'room' | 'dm';
  history: HistoryStore;
  outbox: Outbox;
  transport: ConversationTransport;
  me: { ik: Uint8Array; deviceId: string; dk: SigningKeyPair };
  rules?: ViewRules;
  now?: () => number;
}

export type ConversationEvents = {
  /** A new event from someone else was stored (unread counts, notifications). */
  received: [event: ChatEvent];
};

export class Conversation {
  readonly events = new Emitter<ConversationEvents>();
  readonly convId: string;
  readonly kind: 'room' | 'dm';
  readonly #messages: Signal<MessageView[]> = signal([]);
  readonly #typing: Signal<ReadonlyMap<string, number>> = signal(new Map());
  readonly #clock = new LamportClock();
  /** The window reaches the conversation's first message: nothing older is on disk. */
  #fromStart = true;
  /**
   * Where the next older page starts: the oldest position loaded, in the
   * store's order. Not the window's first message — among equal stamps the
   * two orders differ, and paging from that one would load some twice.
   */
  #olderFrom: string | undefined;
  readonly #opts: ConversationOptions;
  readonly #now: () => number;
  readonly #meIk: string;
  readonly #acks: AckBatch;

  constructor(opts: ConversationOptions) {
    this.#opts = opts;
    this.convId = opts.convId;
    this.kind = opts.kind;
    this.#now = opts.now ?? Date.now;
    this.#meIk = toB64(opts.me.ik);
    this.#acks = new AckBatch(opts.convId, opts.history, opts.outbox, (changed) =>
      this.#merge(changed),
    );
  }

  /** The loaded window, oldest first. */
  get messages(): ReadonlySignal<MessageView[]> {
    return this.#messages;
  }

  /** Who is typing: author IK → until when (ms). */
  get typing(): ReadonlySignal<ReadonlyMap<string, number>> {
    return this.#typing;
  }

  /** Renders from disk first (ARCHITECTURE.md "History"): the newest page. */
  async load(limit: number = CONVERSATION_DEFAULTS.pageSize): Promise<void> {
    const newest = await this.#opts.history.page(this.convId, { limit });
    for (const m of newest) this.#clock.observe(m.lamport);
    this.#fromStart = newest.length < limit;
    this.#olderFrom = newest.at(-1)?.orderKey;
    // The store orders equal stamps by a keyed hash of the id (each device
    // its own key); the window orders them by id, as every member does.
    this.#messages.value = newest.sort(compareEvents);
  }

  /** The next older page, prepended; false when there is none. */
  async loadOlder(limit: number = CONVERSATION_DEFAULTS.pageSize): Promise<boolean> {
    const before = this.#olderFrom ?? this.#messages.value[0]?.orderKey;
    if (!before) return false;
    const older = await this.#opts.history.page(this.convId, { before, limit });
    this.#fromStart = older.length < limit;
    if (older.length === 0) return false;
    this.#olderFrom = older.at(-1)?.orderKey;
    // Sorted whole: a run of equal stamps may straddle the page boundary.
    const shown = new Set(this.#messages.value.map((m) => m.id));
    const fresh = older.filter((m) => !shown.has(m.id));
    this.#messages.value = [...fresh, ...this.#messages.value].sort(compareEvents);
    return true;
  }

  /** Writes, stores and sends an event; resolves once it is stored. */
  async write(body: EventBody): Promise<ChatEvent> {
    const event: ChatEvent = {
      v: 1,
      id: newEventId(),
      conv: this.convId,
      authorIk: this.#meIk,
      authorDevice: this.#opts.me.deviceId,
      lamport: this.#clock.tick(),
      ts: this.#now(),
      body,
    };
    const signed = signEvent(event, this.#opts.me.dk.privateKey);
    if (EPHEMERAL_EVENT_TYPES.has(body.type)) {
      await this.#opts.transport.send(signed, event);
      return event;
    }
    const { history, outbox, transport } = this.#opts;
    const entry = outbox.entryFor(this.convId, signed, event, transport.recipients());
    let stored: AddResult;
    if (outbox.persistsIn(history)) {
      // Event and outbox entry in one transaction: stored, then sent.
      stored = await history.addOwnEvent(this.convId, { signed, event }, entry, this.#opts.rules);
      if (entry) outbox.track(entry);
    } else {
      stored = await history.addEvents(
        this.convId,
        [{ signed, event, local: true }],
        this.#opts.rules,
      );
      await outbox.add(this.convId, signed, event, entry?.awaiting ?? []);
    }
    this.#merge(stored.changed);
    try {
      await transport.send(signed, event);
    } catch (error) {
      // Refused (e.g. the recipient's key changed): never resend it on our own
      // after the person decides; it shows as failed and can be sent again.
      await outbox.drop(event.id);
      this.#merge(
        [await history.updateOwn(this.convId, event, { kind: 'state', state: 'failed' })].filter(
          isView,
        ),
      );
      throw error;
    }
    // Only messages have a view to mark; an edit or reaction has none to look up.
    if (isMessageBody(body)) {
      if (outbox.persistsIn(history) && entry) {
        // Shown now, written with the next ack batch: a transaction per
        // message here would queue in front of the next message's store (P3).
        // The window's copy, not the one stored before the send: a receipt or
        // an edit may have landed meanwhile.
        const sent = { kind: 'state', state: 'sent' } as const;
        const shown =
          this.#messages.value.find((m) => m.id === event.id) ??
          stored.changed.find((v) => v.id === event.id);
        if (shown) this.#merge([applyLocal(shown, sent)]);
        // Should this write fail or never happen (the page closed first),
        // the first ack stored marks the message sent (message-view.ts).
        this.#acks.sent(event).catch(() => undefined);
      } else {
        this.#merge(
          [await history.updateOwn(this.convId, event, { kind: 'state', state: 'sent' })].filter(
            isView,
          ),
        );
      }
    }
    return event;
  }

  /**
   * An event a session verified (live, by mail, or relayed by a member as
   * backfill). Returns false when it was refused or already known.
   */
  async receive(signed: SignedEvent, event: ChatEvent): Promise<boolean> {
    if (!this.#clock.observe(event.lamport)) return false;
    const result = await this.#opts.history.addEvents(
      this.convId,
      [{ signed, event }],
      this.#opts.rules,
    );
    // Shown the moment the store commits; the ack (progress, not content)
    // follows. It goes to the author's device, whoever delivered the event:
    // it is the author's outbox that waits for it (a backfilled copy comes
    // from another member). Duplicates are acked too: the first ack may be lost.
    const added = result.added.length > 0;
    if (added) {
      this.#merge(result.changed);
      this.events.emit('received', event);
      if (event.body.type === 'text') this.#clearTyping(event.authorIk);
    }
    if (added || result.duplicates.length) {
      this.#opts.transport.ack(event.authorDevice, [event.id]);
    }
    return added;
  }

  /** A device stored our events. */
  async acked(deviceId: string, ids: string[]): Promise<void> {
    const { history, outbox } = this.#opts;
    if (!outbox.persistsIn(history)) {
      await outbox.acked(deviceId, ids);
      const changed: MessageView[] = [];
      for (const id of ids) {
        const view = await history.updateLocal(this.convId, id, {
          kind: 'acked',
          device: deviceId,
        });
        if (view) changed.push(view);
      }
      this.#merge(changed);
      return;
    }
    // Shown at once; written with the other acks of its batch (ack-batch.ts).
    const wanted = new Set(ids);
    this.#merge(
      this.#messages.value
        .filter((m) => wanted.has(m.id))
        .map((m) => applyLocal(m, { kind: 'acked', device: deviceId })),
    );
    return this.#acks.add(deviceId, ids);
  }

  /** Writes what the ack batch holds now (the page is closing). */
  flush(): void {
    this.#acks.flushNow();
  }

  /** A link to this device opened: send it what it has not acked yet, in order. */
  resendPending(deviceId: string): void {
    for (const entry of this.#opts.outbox.pendingFor(this.convId, deviceId)) {
      this.#opts.transport.resendTo(deviceId, entry.signed, entry.event);
    }
  }

  setTyping(on: boolean): void {
    this.#opts.transport.typing(on);
  }

  /** Someone's typing state changed (ephemeral; expires on its own). */
  typingFrom(authorIk: string, on: boolean): void {
    const next = new Map(this.#typing.value);
    if (on) next.set(authorIk, this.#now() + CONVERSATION_DEFAULTS.typingTtlMs);
    else next.delete(authorIk);
    this.#typing.value = next;
  }

  /** Drops expired typing indicators (call on a timer from the UI or engine). */
  expireTyping(): void {
    const now = this.#now();
    const next = new Map([...this.#typing.value].filter(([, until]) => until > now));
    if (next.size !== this.#typing.value.size) this.#typing.value = next;
  }

  #clearTyping(authorIk: string): void {
    if (this.#typing.value.has(authorIk)) this.typingFrom(authorIk, false);
  }

  /** Folds changed views into the window: replace, or insert in order. */
  #merge(changed: MessageView[]): void {
    if (!changed.length) return;
    // The window is in event order and a view's place never changes (its
    // stamps are the event's), so each one is found by binary search: no
    // re-sort of thousands of messages per message in a busy room (P3).
    const next = this.#messages.value.slice();
    for (const view of changed) {
      const at = placeOf(next, view);
      const shown = next[at];
      if (shown?.id === view.id) {
        next[at] = keepProgress(view, shown);
      } else if (this.#fromStart || at > 0 || next.length === 0) {
        next.splice(at, 0, view);
      }
      // Else older than a window that does not reach the start: it stays on
      // disk until scrolled to. (A window from the start takes everything.)
    }
    this.#messages.value = next;
  }
}

/** The first index whose message does not sort before `view`. */
function placeOf(window: readonly MessageView[], view: MessageView): number {
  let low = 0;
  let high = window.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const m = window[mid];
    if (m && compareEvents(m, view) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Acks only ever grow and 'pending' only moves on to 'sent'; progress shown
 * before its batch is written (ack-batch.ts) must not vanish when an older
 * copy of the view comes back from the store (a reaction's write, say).
 */
function keepProgress(view: MessageView, shown: MessageView): MessageView {
  if (!view.local || !shown.local) return view;
  const missing = shown.local.ackedBy.filter((d) => !view.local?.ackedBy.includes(d));
  const sent = view.local.state === 'pending' && shown.local.state === 'sent';
  if (missing.length === 0 && !sent) return view;
  return {
    ...view,
    local: {
      state: sent ? 'sent' : view.local.state,
      ackedBy: [...view.local.ackedBy, ...missing].sort(),
    },
  };
}

function isView(v: MessageView | undefined): v is MessageView {
  return v !== undefined;
}
