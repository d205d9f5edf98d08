/**
 * A page that mounts ConversationView over the fake client (fake-client.ts),
 * for the Chromium page test and the screenshots. `#virtual` holds 10 000
 * messages; `#showcase` a short conversation with everything a message can
 * show. `?theme=dark|light` picks the theme.
 */
import { render } from 'preact';
import '../../../../web/ui/theme.css';
import { ConversationView } from '../../../../web/ui/conversation/conversation-view.tsx';
import { fakeClient, generateMessages, messageView, PEOPLE } from './fake-client.ts';

const MIN = 60_000;

function showcase(now: number) {
  const day = now - 26 * 60 * MIN;
  const replied = messageView({
    author: 'bob',
    ts: day + 2 * MIN,
    text: 'Should the relay keep **ciphertext** for offline members, or drop it?',
  });
  return [
    messageView({ author: 'carol', ts: day, text: 'Morning all! ☀️' }),
    replied,
    messageView({
      author: 'carol',
      ts: day + 3 * MIN,
      text: 'Keep it, with a TTL. That is what the _mailbox_ is for.',
      reactions: [
        { emoji: '👍', reactorIks: [PEOPLE.bob.ik, PEOPLE.alice.ik] },
        { emoji: '🎉', reactorIks: [PEOPLE.dave.ik] },
      ],
    }),
    messageView({
      author: 'alice',
      ts: now - 40 * MIN,
      text: 'Agreed. Here is the config I used:\n```ts\nexport const MAILBOX = {\n  ttlMs: 7 * 24 * 3_600_000,\n  quotaBytes: 64 * 1024 * 1024,\n};\n```',
      local: { state: 'sent', ackedBy: ['dev-bob'] },
      receipts: { 'dev-bob': 'read' },
    }),
    messageView({
      author: 'alice',
      ts: now - 39 * MIN,
      text: 'And the ~~old~~ new docs: [architecture](https://example.com/architecture) · `npm start`',
      edited: true,
      local: { state: 'sent', ackedBy: ['dev-bob'] },
      receipts: { 'dev-bob': 'delivered' },
    }),
    messageView({
      author: 'bob',
      ts: now - 30 * MIN,
      text: '@alice that looks right. Two notes:\n1. quota per **user**, not per device\n2. delete on ack',
      replyTo: replied.id,
    }),
    messageView({
      author: 'dave',
      ts: now - 25 * MIN,
      text: '',
      deleted: { byIk: PEOPLE.dave.ik, at: now - 24 * MIN },
    }),
    messageView({
      author: 'carol',
      ts: now - 12 * MIN,
      text: '> quota per user, not per device\n\nYes — otherwise adding a laptop doubles it.',
      reactions: [{ emoji: '💯', reactorIks: [PEOPLE.bob.ik] }],
    }),
    messageView({ author: 'dave', ts: now - 5 * MIN, text: '🚀🚀' }),
    messageView({
      author: 'alice',
      ts: now - MIN,
      text: 'Shipping it this afternoon. Thanks everyone!',
      local: { state: 'pending', ackedBy: [] },
    }),
  ];
}

const params = new URLSearchParams(location.search);
const theme = params.get('theme');
if (theme) document.documentElement.dataset.theme = theme;
const scenario = location.hash.slice(1) || 'virtual';
const now = Date.now();
/** 10 000 messages; the newest replies to #9000, far outside the first page. */
function virtual(nowMs: number) {
  const messages = generateMessages(10_000, nowMs);
  const newest = messages[9_999]!;
  messages[9_999] = { ...newest, replyTo: messages[8_999]!.id };
  return messages;
}

const setup = fakeClient({
  loadDelayMs: Number(params.get('delay') ?? 20),
  unread: scenario === 'showcase' ? 3 : 0,
  messages: scenario === 'showcase' ? showcase(now) : virtual(now),
});
if (scenario === 'showcase') setup.typing('bob', true);

const timing = { renderMs: 0, firstPaintMs: 0 };
Object.assign(globalThis, {
  parleyConversationTest: {
    calls: setup.calls,
    loadedCount: setup.loadedCount,
    total: setup.all.length,
    timing,
  },
});

const root = document.getElementById('app');
if (root) {
  const started = performance.now();
  // The next frame after the list's layout effects settled: what the reader first sees.
  requestAnimationFrame(() =>
    setTimeout(() => {
      timing.firstPaintMs = performance.now() - started;
    }),
  );
  render(
    <ConversationView
      client={setup.client}
      convId="room-1"
      title="general"
      kind="room"
      headerActions={null}
    />,
    root,
  );
  timing.renderMs = performance.now() - started;
}
document.title = 'ready';
