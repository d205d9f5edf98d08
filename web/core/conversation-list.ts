/**
 * The list the sidebar shows: every open room and DM with its title, unread
 * count, last preview and activity time, newest first, as one signal.
 */
import { computed, type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import type { Conversation } from './conversation.ts';

export interface ConversationSummary {
  convId: string;
  kind: 'room' | 'dm';
  title: string;
  unread: number;
  preview: string | null;
  lastActivityTs: number;
}

type Counters = Pick<ConversationSummary, 'unread' | 'preview' | 'lastActivityTs'>;

const EMPTY: Counters = { unread: 0, preview: null, lastActivityTs: 0 };

export class ConversationList {
  readonly summaries: ReadonlySignal<ConversationSummary[]>;
  readonly #titles = new Map<string, { kind: 'room' | 'dm'; title: string }>();
  readonly #counters: Signal<ReadonlyMap<string, Counters>> = signal(new Map());
  /** Stops counting a conversation's arrivals (a late one must not bring a forgotten room back). */
  readonly #untrack = new Map<string, () => void>();

  constructor() {
    this.summaries = computed(() =>
      [...this.#counters.value.entries()]
        .map(([convId, c]) => ({
          convId,
          ...(this.#titles.get(convId) ?? { kind: 'room' as const, title: convId }),
          ...c,
        }))
        .sort((a, b) => b.lastActivityTs - a.lastActivityTs),
    );
  }

  /** Adds a conversation and counts what arrives in it. */
  track(convId: string, kind: 'room' | 'dm', title: string, conversation: Conversation): void {
    this.#titles.set(convId, { kind, title });
    this.#update(convId, (c) => c);
    this.#untrack.get(convId)?.();
    const off = conversation.events.on('received', (event) => {
      const text = event.body.type === 'text' ? event.body.text : null;
      this.#update(convId, (c) => ({
        unread: c.unread + (text !== null ? 1 : 0),
        preview: text ?? c.preview,
        lastActivityTs: Math.max(c.lastActivityTs, event.ts),
      }));
    });
    this.#untrack.set(convId, off);
  }

  markRead(convId: string): void {
    this.#update(convId, (c) => ({ ...c, unread: 0 }));
  }

  forget(convId: string): void {
    const next = new Map(this.#counters.value);
    next.delete(convId);
    this.#counters.value = next;
    this.#titles.delete(convId);
    this.#untrack.get(convId)?.();
    this.#untrack.delete(convId);
  }

  #update(convId: string, change: (c: Counters) => Counters): void {
    const next = new Map(this.#counters.value);
    next.set(convId, change(next.get(convId) ?? EMPTY));
    this.#counters.value = next;
  }
}
