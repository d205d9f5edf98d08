/**
 * What a conversation shows, reduced from its chat events. Every merge here
 * is commutative and idempotent (last writer wins by event order, sticky
 * deletes, monotone receipts), so members that received the same events over
 * different links, in different orders, and some of them twice, show the
 * same thing. The bookkeeping that makes late events merge correctly (which
 * edit and which reaction vote won) is part of the view, because views are
 * persisted and merged again later.
 */

import { fromB64 } from '../../../shared/crypto/encoding.ts';
import { decodeFileOffer } from '../../../shared/crypto/files.ts';
import type { BodyOf, ChatEvent, EventBody } from '../../../shared/events/event-schema.ts';
import { EPHEMERAL_EVENT_TYPES } from '../../../shared/events/event-schema.ts';
import { orderKey } from '../../../shared/events/ordering.ts';

export type SendState = 'pending' | 'sent' | 'failed';
export type ReceiptKind = 'delivered' | 'read';

/** Only on messages this device sent: transport state, not an event. */
export interface LocalSend {
  state: SendState;
  /** Recipient device ids whose transport acked the event, sorted. */
  ackedBy: string[];
}

export interface Reaction {
  emoji: string;
  /** Identity keys of the members currently reacting, sorted. */
  reactorIks: string[];
}

/**
 * What the UI lists for a shared file (web/core/files/ owns the transfer).
 * `offer` is the event's encoded offer, so the engine can act on it later.
 */
export interface FileRef {
  fileId: string;
  name: string;
  mime: string;
  size: number;
  offer: string;
}

/** One last-writer-wins vote per (emoji, reactor); `key` is the vote's orderKey. */
export interface ReactionVote {
  emoji: string;
  reactorIk: string;
  on: boolean;
  key: string;
}

export interface MessageView {
  id: string;
  conv: string;
  orderKey: string;
  authorIk: string;
  authorDevice: string;
  lamport: number;
  ts: number;
  /** Latest text by the original author; empty once deleted. */
  text: string;
  edited: boolean;
  /** Author's clock at the winning edit. */
  editedAt: number | null;
  deleted: { byIk: string; at: number } | null;
  replyTo: string | null;
  /** Set on file events; null for text (and for a file event whose offer does not decode). */
  file: FileRef | null;
  /** Usernames mentioned by the original text; cleared on delete. */
  mentions: string[];
  /** Ordered by the first current reaction with that emoji. */
  reactions: Reaction[];
  /** Reader device id → strongest receipt (read implies delivered). */
  receipts: Record<string, ReceiptKind>;
  local: LocalSend | null;
  merge: {
    /** orderKey of the winning edit, or null. */
    editKey: string | null;
    /** orderKey of the earliest valid delete, or null. */
    deleteKey: string | null;
    votes: ReactionVote[];
  };
}

/** Decisions the reducer cannot make from events alone. */
export interface ViewRules {
  /** Whether this identity may delete other members' messages in this conversation. */
  isModerator(ik: string): boolean;
}

export const NO_MODERATORS: ViewRules = { isModerator: () => false };

export type LocalUpdate = { kind: 'state'; state: SendState } | { kind: 'acked'; device: string };

/** Ids of the messages an event changes; empty for text and ephemeral events. */
export function targetsOf(body: EventBody): string[] {
  switch (body.type) {
    case 'edit':
    case 'delete':
    case 'reaction':
      return [body.target];
    case 'receipt':
      return [...new Set(body.targets)];
    default:
      return [];
  }
}

export function isStoredEvent(event: ChatEvent): boolean {
  return !EPHEMERAL_EVENT_TYPES.has(event.body.type);
}

/** Bodies that are messages of their own (a view), rather than changes to one. */
export function isMessageBody(body: EventBody): body is BodyOf<'text'> | BodyOf<'file'> {
  return body.type === 'text' || body.type === 'file';
}

function fileRef(offerB64: string): FileRef | null {
  let bytes: Uint8Array;
  try {
    bytes = fromB64(offerB64);
  } catch {
    return null;
  }
  const offer = decodeFileOffer(bytes);
  if (!offer.ok) return null;
  const { fileId, name, mime, size } = offer.value;
  return { fileId, name, mime, size, offer: offerB64 };
}

/** The view of a text or file event (the message itself, before any edits or reactions). */
export function textView(event: ChatEvent, local = false): MessageView {
  const body = event.body;
  if (!isMessageBody(body)) throw new TypeError('parley/history: not a message event');
  const text = body.type === 'text' ? body : null;
  return {
    id: event.id,
    conv: event.conv,
    orderKey: orderKey(event),
    authorIk: event.authorIk,
    authorDevice: event.authorDevice,
    lamport: event.lamport,
    ts: event.ts,
    text: text?.text ?? '',
    edited: false,
    editedAt: null,
    deleted: null,
    replyTo: text?.replyTo ?? null,
    file: body.type === 'file' ? fileRef(body.offer) : null,
    mentions: [...(text?.mentions ?? [])],
    reactions: [],
    receipts: {},
    local: local ? { state: 'pending', ackedBy: [] } : null,
    merge: { editKey: null, deleteKey: null, votes: [] },
  };
}

/**
 * Folds one event into the view of the message it targets. Returns the same
 * object when nothing changed, so callers can skip a write.
 */
export function applyToView(view: MessageView, event: ChatEvent, rules: ViewRules): MessageView {
  const body = event.body;
  if (event.conv !== view.conv || event.id === view.id) return view;
  if (!targetsOf(body).includes(view.id)) return view;
  switch (body.type) {
    case 'edit':
      return applyEdit(view, event, body);
    case 'delete':
      return applyDelete(view, event, rules);
    case 'reaction':
      return applyReaction(view, event, body);
    case 'receipt':
      return applyReceipt(view, event, body);
    default:
      return view;
  }
}

function applyEdit(view: MessageView, event: ChatEvent, body: BodyOf<'edit'>): MessageView {
  // Only the author may change what they said; anyone else's edit is noise.
  if (event.authorIk !== view.authorIk) return view;
  const key = orderKey(event);
  if (view.merge.editKey !== null && view.merge.editKey >= key) return view;
  return {
    ...view,
    text: view.deleted ? '' : body.text,
    edited: true,
    editedAt: event.ts,
    merge: { ...view.merge, editKey: key },
  };
}

function applyDelete(view: MessageView, event: ChatEvent, rules: ViewRules): MessageView {
  if (event.authorIk !== view.authorIk && !rules.isModerator(event.authorIk)) return view;
  const key = orderKey(event);
  // Deletion is sticky; the earliest valid delete names who deleted.
  if (view.merge.deleteKey !== null && view.merge.deleteKey <= key) return view;
  return {
    ...view,
    text: '',
    mentions: [],
    deleted: { byIk: event.authorIk, at: event.ts },
    merge: { ...view.merge, deleteKey: key },
  };
}

function applyReaction(view: MessageView, event: ChatEvent, body: BodyOf<'reaction'>): MessageView {
  const key = orderKey(event);
  const at = view.merge.votes.findIndex(
    (v) => v.emoji === body.emoji && v.reactorIk === event.authorIk,
  );
  const previous = at >= 0 ? view.merge.votes[at] : undefined;
  if (previous && previous.key >= key) return view;
  const vote: ReactionVote = { emoji: body.emoji, reactorIk: event.authorIk, on: body.on, key };
  const votes = previous
    ? view.merge.votes.map((v, i) => (i === at ? vote : v))
    : [...view.merge.votes, vote];
  votes.sort(compareVotes);
  return { ...view, reactions: reactionsFrom(votes), merge: { ...view.merge, votes } };
}

function compareVotes(a: ReactionVote, b: ReactionVote): number {
  if (a.emoji !== b.emoji) return a.emoji < b.emoji ? -1 : 1;
  return a.reactorIk < b.reactorIk ? -1 : a.reactorIk > b.reactorIk ? 1 : 0;
}

function reactionsFrom(votes: readonly ReactionVote[]): Reaction[] {
  const byEmoji = new Map<string, { first: string; reactorIks: string[] }>();
  for (const vote of votes) {
    if (!vote.on) continue;
    const entry = byEmoji.get(vote.emoji);
    if (entry) {
      entry.reactorIks.push(vote.reactorIk);
      if (vote.key < entry.first) entry.first = vote.key;
    } else {
      byEmoji.set(vote.emoji, { first: vote.key, reactorIks: [vote.reactorIk] });
    }
  }
  return [...byEmoji.entries()]
    .sort(([ea, a], [eb, b]) =>
      a.first !== b.first ? (a.first < b.first ? -1 : 1) : ea < eb ? -1 : 1,
    )
    .map(([emoji, { reactorIks }]) => ({ emoji, reactorIks: reactorIks.sort() }));
}

function applyReceipt(view: MessageView, event: ChatEvent, body: BodyOf<'receipt'>): MessageView {
  const reader = event.authorDevice;
  const current = Object.hasOwn(view.receipts, reader) ? view.receipts[reader] : undefined;
  if (current === 'read' || current === body.kind) return view;
  return { ...view, receipts: { ...view.receipts, [reader]: body.kind } };
}

/** Transport state of our own message: set by the outbox, not by events. */
export function applyLocal(view: MessageView, update: LocalUpdate): MessageView {
  const local = view.local ?? { state: 'pending', ackedBy: [] };
  if (update.kind === 'state') {
    if (view.local?.state === update.state) return view;
    return { ...view, local: { ...local, state: update.state } };
  }
  // A device that stored it was sent it, whether or not 'sent' was written.
  const state = local.state === 'pending' ? 'sent' : local.state;
  if (local.ackedBy.includes(update.device) && state === local.state) return view;
  const ackedBy = local.ackedBy.includes(update.device)
    ? local.ackedBy
    : [...local.ackedBy, update.device].sort();
  return { ...view, local: { state, ackedBy } };
}
