import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initiates, isDirectPair } from '../../../../web/core/mesh-topology.ts';

const ids = (n: number) => Array.from({ length: n }, (_, i) => `dev${String(i).padStart(3, '0')}`);

describe('mesh topology', () => {
  it('small rooms are a full mesh', () => {
    const room = ids(9);
    for (const a of room)
      for (const b of room) if (a !== b) expect(isDirectPair(a, b, room, 8)).toBe(true);
  });

  it('both sides of a pair always agree, and nobody exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 12 }), (n, cap) => {
        const room = ids(n);
        for (const a of room) {
          let direct = 0;
          for (const b of room) {
            expect(isDirectPair(a, b, room, cap)).toBe(isDirectPair(b, a, room, cap));
            if (isDirectPair(a, b, room, cap)) direct++;
          }
          expect(direct).toBeLessThanOrEqual(Math.min(cap, n - 1));
        }
      }),
    );
  });

  it('in a room of 12 with cap 8, each device has 8 direct links and 3 via the relay', () => {
    const room = ids(12);
    for (const a of room) {
      const direct = room.filter((b) => isDirectPair(a, b, room, 8));
      expect(direct).toHaveLength(8);
    }
  });

  it('exactly one side of a pair initiates', () => {
    expect(initiates('a', 'b')).toBe(true);
    expect(initiates('b', 'a')).toBe(false);
  });
});
