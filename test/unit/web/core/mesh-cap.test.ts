import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirectBudget } from '../../../../web/core/mesh-cap.ts';

/** A device's data channels by peer device id, and what it answered FULL to. */
function device(cap: number) {
  const channels = new Set<string>();
  const refused: string[] = [];
  const budget = new DirectBudget({
    cap,
    channelsExcept: (id) => [...channels].filter((c) => c !== id).length,
    refuse: (_id, attempt) => refused.push(attempt),
  });
  return { channels, refused, budget };
}

describe('the mesh cap as a hard limit on data channels', () => {
  it('however attempts arrive, a device never holds more data channels than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.record({ peer: fc.integer({ min: 0, max: 30 }), drop: fc.boolean() })),
        (cap, steps) => {
          const d = device(cap);
          for (const [n, { peer, drop }] of steps.entries()) {
            const id = `d${peer}`;
            if (drop) d.channels.delete(id);
            else if (d.budget.admit(id, `a${n}`)) d.channels.add(id);
            expect(d.channels.size).toBeLessThanOrEqual(cap);
          }
        },
      ),
    );
  });

  it('a replacement attempt to a device already linked is not counted against itself', () => {
    const d = device(2);
    d.channels.add('x').add('y');
    expect(d.budget.hasRoom('x')).toBe(true);
    expect(d.budget.hasRoom('z')).toBe(false);
  });

  it('an attempt past the cap is refused once; its further signals are dropped quietly', () => {
    const d = device(1);
    d.channels.add('x');
    expect(d.budget.admit('y', 'A')).toBe(false);
    expect(d.budget.admit('y', 'A')).toBe(false);
    expect(d.refused).toEqual(['A']);
    // Room again, but a refused attempt stays refused: the initiator already moved on.
    d.channels.clear();
    expect(d.budget.admit('y', 'A')).toBe(false);
    expect(d.budget.admit('y', 'B')).toBe(true);
  });
});
