/**
 * A stand-in for ParleyClient with just what ConversationView reads, over
 * an in-memory conversation: for the Chromium page test (10 000 messages,
 * virtualization, loading older) and the screenshots. The engine's real
 * behaviour is covered by its own tests; this one records the calls the UI
 * makes so the page test can assert them.
 */
import { signal } from '@preact/signals-core';
import type { ParleyClient } from '../../../../web/core/client.ts';
import type { MessageView, Reaction } from '../../../../web/core/history/message-view.ts';

export const PEOPLE = {
  alice: { userId: 'u-alice', username: 'alice', ik: ikOf('a') },
  bob: { userId: 'u-bob', username: 'bob', ik: ikOf('b') },
  carol: { userId: 'u-carol', username: 'carol', ik: ikOf('c') },
  dave: { userId: 'u-dave', username: 'dave', ik: ikOf('d') },
} as const;
type Person = keyof typeof PEOPLE;

function ikOf(letter: string): string {
  return letter.repeat(43);
}

let seq = 0;
function nextId(): string {
  seq++;
  return `m${seq.toString().padStart(20, '0')}`.padEnd(22, 'x');
}

export function messageView(partial: Partial<MessageView> & { author: Person; ts: number }) {
  const { author, ...rest } = partial;
  const id = rest.id ?? nextId();
  const lamport = rest.lamport ?? seq;
  const view: MessageView = {
    id,
    conv: 'room-1',
    orderKey: `${lamport}.${id}`,
    authorIk: PEOPLE[author].ik,
    authorDevice: `dev-${author}`,
    lamport,
    text: '',
    edited: false,
    editedAt: null,
    deleted: null,
    replyTo: null,
    file: null,
    mentions: [],
    reactions: [],
    receipts: {},
    local: null,
    merge: { editKey: null, deleteKey: null, votes: [] },
    ...rest,
  };
  return view;
}

const SAMPLE_TEXTS = [
  'Morning! Anyone around?',
  'Pushed the fix for the reconnect loop, can someone take a look?',
  'Looks good to me 👍',
  'I think the **relay** should keep retrying with jitter, otherwise everyone reconnects at once after a restart and we get a thundering herd on the socket accept queue.',
  'Lunch?',
  'The numbers from last night: `p50 1.8 ms`, `p99 7.2 ms`.',
  'Agreed.',
  'Here is the plan:\n- measure first\n- then fix the slow path\n- then measure again',
  'Can we move the sync to tomorrow? Something came up.',
  'Sure, works for me.',
  'https://example.com/docs/architecture is the page I meant',
  '> the relay routes; it never reads\nthat is the whole point',
];

/** `count` messages ending now, a few minutes apart, by a rotating cast. */
export function generateMessages(count: number, nowMs = Date.now()): MessageView[] {
  const cast: Person[] = ['bob', 'carol', 'alice', 'bob', 'dave', 'alice', 'alice', 'carol'];
  const out: MessageView[] = [];
  let ts = nowMs - count * 4 * 60_000;
  for (let i = 0; i < count; i++) {
    ts += (i % 5 === 0 ? 37 : 2) * 60_000 + (i % 3) * 1_000;
    const author = cast[i % cast.length]!;
    const text = `${SAMPLE_TEXTS[i % SAMPLE_TEXTS.length]} (#${i + 1})`;
    out.push(
      messageView({
        author,
        ts,
        text,
        ...(author === 'alice' ? { local: { state: 'sent' as const, ackedBy: ['dev-bob'] } } : {}),
      }),
    );
  }
  return out;
}

export interface FakeCall {
  method: string;
  args: unknown[];
}

export interface FakeSetup {
  client: ParleyClient;
  calls: FakeCall[];
  /** Every message, the loaded window being its newest part. */
  all: MessageView[];
  loadedCount(): number;
  typing(who: Person, on: boolean): void;
}

export function fakeClient(options: {
  convId?: string;
  messages: MessageView[];
  pageSize?: number;
  loadDelayMs?: number;
  /** Unread count in the conversation list when the view opens. */
  unread?: number;
}): FakeSetup {
  const convId = options.convId ?? 'room-1';
  const pageSize = options.pageSize ?? 100;
  const all = options.messages.map((m) => ({ ...m, conv: convId }));
  const calls: FakeCall[] = [];
  let start = Math.max(0, all.length - pageSize);
  const messages = signal(all.slice(start));
  const typing = signal<ReadonlyMap<string, number>>(new Map());
  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });

  const replace = (id: string, change: (m: MessageView) => MessageView) => {
    const i = all.findIndex((m) => m.id === id);
    if (i < 0) return;
    all[i] = change(all[i]!);
    messages.value = all.slice(start);
  };

  const conversation = {
    convId,
    kind: 'room' as const,
    messages,
    typing,
    async load() {},
    async loadOlder(limit = pageSize) {
      record('loadOlder');
      await new Promise((r) => setTimeout(r, options.loadDelayMs ?? 20));
      if (start === 0) return false;
      start = Math.max(0, start - limit);
      messages.value = all.slice(start);
      return true;
    },
  };

  const members = signal(
    Object.values(PEOPLE).map((p) => ({
      userId: p.userId,
      username: p.username,
      role: p.username === 'alice' ? ('owner' as const) : ('member' as const),
      online: true,
      devices: [],
      trust: 'pinned' as const,
      isMe: p.username === 'alice',
    })),
  );

  const client = {
    conversations: signal([
      { convId, kind: 'room', title: 'general', unread: options.unread ?? 0 },
    ]),
    conversation: (id: string) => (id === convId ? conversation : undefined),
    room: (id: string) => (id === convId ? { members, mesh: { peers: () => [] } } : undefined),
    dm: () => undefined,
    trust: {
      events: { on: () => () => undefined },
      userIdForIk: (ik: string) => Object.values(PEOPLE).find((p) => p.ik === ik)?.userId,
      get: (userId: string) => {
        const p = Object.values(PEOPLE).find((x) => x.userId === userId);
        return p ? { userId, username: p.username, ik: p.ik, state: 'pinned' } : undefined;
      },
    },
    relay: {
      session: { userId: PEOPLE.alice.userId, username: 'alice', deviceId: 'dev-alice' },
      call: async () => ({ ik: PEOPLE.alice.ik }),
    },
    files: { transfers: signal([]), deviceId: 'dev-alice' },
    setTyping: (id: string, on: boolean) => record('setTyping', id, on),
    markRead: async (id: string) => {
      record('markRead', id);
    },
    async sendText(id: string, text: string, replyTo?: string) {
      record('sendText', id, text, ...(replyTo ? [replyTo] : []));
      const view = messageView({
        author: 'alice',
        ts: Date.now(),
        text,
        replyTo: replyTo ?? null,
        conv: convId,
        local: { state: 'pending', ackedBy: [] },
      });
      all.push(view);
      messages.value = all.slice(start);
      setTimeout(
        () => replace(view.id, (m) => ({ ...m, local: { state: 'sent', ackedBy: [] } })),
        300,
      );
      return view.id;
    },
    async editMessage(id: string, target: string, text: string) {
      record('editMessage', id, target, text);
      replace(target, (m) => ({ ...m, text, edited: true, editedAt: Date.now() }));
      return 'edit';
    },
    async deleteMessage(id: string, target: string) {
      record('deleteMessage', id, target);
      replace(target, (m) => ({
        ...m,
        text: '',
        deleted: { byIk: PEOPLE.alice.ik, at: Date.now() },
      }));
      return 'delete';
    },
    async react(id: string, target: string, emoji: string, on: boolean) {
      record('react', id, target, emoji, on);
      replace(target, (m) => ({
        ...m,
        reactions: toggle(m.reactions, emoji, PEOPLE.alice.ik, on),
      }));
      return 'reaction';
    },
    async shareFile() {
      record('shareFile');
      return 'file';
    },
  };

  return {
    client: client as unknown as ParleyClient,
    calls,
    all,
    loadedCount: () => messages.value.length,
    typing(who, on) {
      const next = new Map(typing.value);
      if (on) next.set(PEOPLE[who].ik, Date.now() + 60_000);
      else next.delete(PEOPLE[who].ik);
      typing.value = next;
    },
  };
}

function toggle(reactions: Reaction[], emoji: string, ik: string, on: boolean): Reaction[] {
  const out = reactions.map((r) =>
    r.emoji === emoji ? { ...r, reactorIks: r.reactorIks.filter((x) => x !== ik) } : r,
  );
  if (on) {
    const hit = out.find((r) => r.emoji === emoji);
    if (hit) hit.reactorIks = [...hit.reactorIks, ik];
    else out.push({ emoji, reactorIks: [ik] });
  }
  return out.filter((r) => r.reactorIks.length > 0);
}
