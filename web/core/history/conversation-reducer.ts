/**
 * The whole-conversation fold over message-view.ts, in memory: what the
 * engine shows for events it has not persisted yet, and the reference the
 * store's incremental path is tested against. Edits, deletes, reactions and
 * receipts can arrive before their target (over a different link); they wait
 * here, keyed by the target id, until it arrives.
 */
import type { ChatEvent } from '../../../shared/events/event-schema.ts';
import {
  applyToView,
  isMessageBody,
  isStoredEvent,
  type MessageView,
  targetsOf,
  textView,
  type ViewRules,
} from './message-view.ts';

export interface ConversationState {
  readonly conv: string;
  readonly views: Map<string, MessageView>;
  /** Target id → events waiting for it. */
  readonly pending: Map<string, ChatEvent[]>;
  readonly seen: Set<string>;
}

export function newConversationState(conv: string): ConversationState {
  return { conv, views: new Map(), pending: new Map(), seen: new Set() };
}

/**
 * Folds one event into `state` (in place) and returns the views it changed.
 * A repeated event id, another conversation's event and ephemeral events
 * change nothing.
 */
export function applyEvent(
  state: ConversationState,
  event: ChatEvent,
  rules: ViewRules,
): MessageView[] {
  if (event.conv !== state.conv || !isStoredEvent(event) || state.seen.has(event.id)) return [];
  state.seen.add(event.id);
  if (isMessageBody(event.body)) {
    let view = textView(event);
    for (const waiting of state.pending.get(event.id) ?? []) {
      view = applyToView(view, waiting, rules);
    }
    state.pending.delete(event.id);
    state.views.set(event.id, view);
    return [view];
  }
  const changed: MessageView[] = [];
  for (const target of targetsOf(event.body)) {
    const view = state.views.get(target);
    if (!view) {
      const queue = state.pending.get(target);
      if (queue) queue.push(event);
      else state.pending.set(target, [event]);
      continue;
    }
    const next = applyToView(view, event, rules);
    if (next !== view) {
      state.views.set(target, next);
      changed.push(next);
    }
  }
  return changed;
}

/** Oldest first, in the one order every member shares. */
export function conversationViews(state: ConversationState): MessageView[] {
  return [...state.views.values()].sort((a, b) =>
    a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : 0,
  );
}

/** Convenience: the views a list of events yields, in any arrival order. */
export function reduceConversation(
  conv: string,
  events: Iterable<ChatEvent>,
  rules: ViewRules,
): MessageView[] {
  const state = newConversationState(conv);
  for (const event of events) applyEvent(state, event, rules);
  return conversationViews(state);
}
