/** fast-check arbitraries for conversations and arrival orders. */
import fc from 'fast-check';
import type { ChatEvent, EventBody } from '../../../../../shared/events/event-schema.ts';
import { chatEvent, idOf } from './fixtures.ts';

export const CONV = 'room:general';

const AUTHORS = ['alice', 'bob', 'carol', 'mod'] as const;
const EMOJI = ['👍', '🎉', 'x'] as const;

/** Texts plus edits, deletes, reactions and receipts aimed at them (and at nothing). */
export function conversationArb(): fc.Arbitrary<{ events: ChatEvent[]; arrivals: ChatEvent[][] }> {
  const stamp = fc.record({
    lamport: fc.integer({ min: 1, max: 6 }),
    ts: fc.integer({ min: 1, max: 4 }),
  });
  const op = fc.record({
    kind: fc.constantFrom('edit', 'delete', 'reaction', 'receipt'),
    author: fc.constantFrom(...AUTHORS),
    target: fc.nat({ max: 5 }),
    /** Most edits and deletes come from the message's author, so they count. */
    byTextAuthor: fc.boolean(),
    emoji: fc.constantFrom(...EMOJI),
    on: fc.boolean(),
    read: fc.boolean(),
    stamp,
  });
  const txt = fc.record({ author: fc.constantFrom(...AUTHORS), stamp });
  return fc
    .record({
      texts: fc.array(txt, { minLength: 1, maxLength: 5 }),
      ops: fc.array(op, { maxLength: 30 }),
    })
    .chain(({ texts, ops }) => {
      const events: ChatEvent[] = [];
      texts.forEach((t, i) => {
        events.push(
          chatEvent(
            CONV,
            t.author,
            { type: 'text', text: `text ${i}` },
            { id: idOf(`t${i}`), ...t.stamp },
          ),
        );
      });
      ops.forEach((o, i) => {
        // One past the last text: an event whose target never arrives.
        const targetIndex = o.target % (texts.length + 1);
        const target = idOf(`t${targetIndex}`);
        const targetAuthor = texts[targetIndex]?.author;
        // Receipts from two readers only, so one reader's receipts often meet.
        const author =
          o.byTextAuthor && targetAuthor && (o.kind === 'edit' || o.kind === 'delete')
            ? targetAuthor
            : o.kind === 'receipt'
              ? (['alice', 'bob'] as const)[o.target % 2]!
              : o.author;
        const body: EventBody =
          o.kind === 'edit'
            ? { type: 'edit', target, text: `edit ${i}` }
            : o.kind === 'delete'
              ? { type: 'delete', target }
              : o.kind === 'reaction'
                ? { type: 'reaction', target, emoji: o.emoji, on: o.on }
                : { type: 'receipt', kind: o.read ? 'read' : 'delivered', targets: [target] };
        events.push(chatEvent(CONV, author, body, { id: idOf(`o${i}`), ...o.stamp }));
      });
      return fc.record({
        events: fc.constant(events),
        arrivals: fc.array(arrivalOrder(events), { minLength: 1, maxLength: 3 }),
      });
    });
}

/** A permutation of `events` with some of them delivered a second time, anywhere. */
export function arrivalOrder<T>(events: readonly T[]): fc.Arbitrary<T[]> {
  const n = events.length;
  return fc
    .record({
      perm: fc.shuffledSubarray([...events], { minLength: n, maxLength: n }),
      dups: fc.array(fc.record({ which: fc.nat({ max: n - 1 }), at: fc.nat({ max: n }) }), {
        maxLength: Math.ceil(n / 3),
      }),
    })
    .map(({ perm, dups }) => {
      const out = [...perm];
      for (const d of dups) out.splice(Math.min(d.at, out.length), 0, events[d.which]!);
      return out;
    });
}
