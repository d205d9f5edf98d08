import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareEvents,
  LamportClock,
  MAX_LAMPORT_JUMP,
  orderKey,
} from '../../../../shared/events/ordering.ts';

const orderable = fc.record({
  lamport: fc.integer({ min: 0, max: 2 ** 40 }),
  ts: fc.integer({ min: 0, max: 2 ** 45 }),
  id: fc.stringMatching(/^[A-Za-z0-9_-]{22}$/),
});

describe('event order', () => {
  it('every member sorts the same events the same way, whatever order they arrived in', () => {
    fc.assert(
      fc.property(fc.array(orderable, { maxLength: 50 }), fc.nat(), (events, seed) => {
        const a = [...events].sort(compareEvents);
        const shuffled = [...events].sort((x, y) => (x.id + seed < y.id + seed ? 1 : -1));
        expect(shuffled.sort(compareEvents)).toEqual(a);
      }),
    );
  });

  it('the storage key sorts exactly like compareEvents', () => {
    fc.assert(
      fc.property(orderable, orderable, (a, b) => {
        const byKey = orderKey(a) < orderKey(b) ? -1 : orderKey(a) > orderKey(b) ? 1 : 0;
        expect(byKey).toBe(Math.sign(compareEvents(a, b)));
      }),
    );
  });

  it('a reply is ordered after what it answers even when the replier’s clock is behind', () => {
    const alice = new LamportClock();
    const bob = new LamportClock();
    const question = { lamport: alice.tick(), ts: 2_000, id: 'q' };
    bob.observe(question.lamport);
    const answer = { lamport: bob.tick(), ts: 1_000, id: 'a' };
    expect(compareEvents(question, answer)).toBeLessThan(0);
  });

  it('a member cannot pin the clock to the end of time', () => {
    const clock = new LamportClock(10);
    expect(clock.observe(10 + MAX_LAMPORT_JUMP + 1)).toBe(false);
    expect(clock.value).toBe(10);
    expect(clock.observe(10 + MAX_LAMPORT_JUMP)).toBe(true);
    expect(clock.tick()).toBe(11 + MAX_LAMPORT_JUMP);
  });
});
