import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../web/core/backoff.ts';

describe('reconnect backoff', () => {
  it('grows from 0.5 s to at most 10 s and never retries instantly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 12,
          maxLength: 12,
        }),
        (draws) => {
          let i = 0;
          const b = new Backoff({ random: () => draws[i++]! });
          const delays = draws.map(() => b.next());
          expect(delays[0]).toBeGreaterThanOrEqual(250);
          expect(delays[0]).toBeLessThanOrEqual(500);
          for (const d of delays) {
            expect(d).toBeGreaterThanOrEqual(250);
            expect(d).toBeLessThanOrEqual(10_000);
          }
          // After enough failures the bound is the 10 s cap: at least 5 s.
          expect(delays[11]).toBeGreaterThanOrEqual(5_000);
        },
      ),
    );
  });

  it('two clients dropped together do not come back in step', () => {
    const a = new Backoff();
    const b = new Backoff();
    const da = Array.from({ length: 6 }, () => a.next());
    const db = Array.from({ length: 6 }, () => b.next());
    expect(da).not.toEqual(db);
  });

  it('starts over after a successful connection', () => {
    const b = new Backoff({ random: () => 0.999 });
    for (let i = 0; i < 8; i++) b.next();
    b.reset();
    expect(b.next()).toBeLessThanOrEqual(500);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 5_000, maxMs: 1_000 })).toThrow(RangeError);
  });
});
