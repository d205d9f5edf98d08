import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anchorAt,
  isAtBottom,
  rowAt,
  rowOffsets,
  scrollTopFor,
  visibleRange,
} from '../../../../web/ui/conversation/list/virtual-window.ts';

describe('virtual list arithmetic', () => {
  it('places rows by the sum of the heights above them', () => {
    expect([...rowOffsets([10, 20, 30])]).toEqual([0, 10, 30, 60]);
    expect([...rowOffsets([])]).toEqual([0]);
  });

  it('finds the row under a position, clamped to the rows', () => {
    const offsets = rowOffsets([10, 20, 30]);
    expect(rowAt(offsets, -5)).toBe(0);
    expect(rowAt(offsets, 0)).toBe(0);
    expect(rowAt(offsets, 9.9)).toBe(0);
    expect(rowAt(offsets, 10)).toBe(1);
    expect(rowAt(offsets, 59)).toBe(2);
    expect(rowAt(offsets, 500)).toBe(2);
  });

  it('renders only the rows in view plus the overscan, however long the list', () => {
    const offsets = rowOffsets(new Array(10_000).fill(50));
    const { start, end } = visibleRange(offsets, 250_000, 800, 600);
    expect(start).toBe((250_000 - 600) / 50);
    expect(end).toBe((250_000 + 800 + 600) / 50 + 1);
    expect(end - start).toBeLessThan(60);
    expect(visibleRange(rowOffsets([]), 0, 800, 600)).toEqual({ start: 0, end: 0 });
  });

  it('keeps the anchored row where it was when rows are inserted above it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 20, max: 400 }), { minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 20, max: 400 }), { maxLength: 200 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (heights, older, at) => {
          const keys = heights.map((_, i) => `k${i}`);
          const offsets = rowOffsets(heights);
          const scrollTop = at * (offsets[heights.length]! - 1);
          const anchor = anchorAt(offsets, keys, scrollTop);
          expect(anchor).not.toBeNull();
          const newKeys = [...older.map((_, i) => `old${i}`), ...keys];
          const newOffsets = rowOffsets([...older, ...heights]);
          const top = scrollTopFor(newOffsets, (k) => newKeys.indexOf(k), anchor!);
          const row = newKeys.indexOf(anchor!.key);
          // The anchor row's top is the same distance from the viewport's top as before.
          const oldRow = keys.indexOf(anchor!.key);
          expect(newOffsets[row]! - top!).toBeCloseTo(offsets[oldRow]! - scrollTop, 6);
        },
      ),
    );
  });

  it('never anchors to rows that move when content is inserted (header, day separators)', () => {
    const offsets = rowOffsets([56, 44, 60, 60]);
    const keys = ['top', 'day:1', 'a', 'b'];
    const anchor = anchorAt(offsets, keys, 0, (i) => !['top', 'day:1'].includes(keys[i]!));
    expect(anchor).toEqual({ key: 'a', offsetPx: -100 });
  });

  it('forgets an anchor whose row is gone', () => {
    expect(scrollTopFor(rowOffsets([10]), () => -1, { key: 'x', offsetPx: 0 })).toBeNull();
  });

  it('counts as at the bottom within the slack', () => {
    expect(isAtBottom(1000, 500, 1520, 32)).toBe(true);
    expect(isAtBottom(900, 500, 1520, 32)).toBe(false);
  });
});
