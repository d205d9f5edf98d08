/**
 * The arithmetic of the virtualized message list, kept pure so it can be
 * tested without a browser: row offsets from (measured or estimated)
 * heights, which rows intersect the viewport plus overscan, and the scroll
 * anchor that keeps what the reader looks at in place while rows above it
 * are added (older messages) or change height (measured for the first time).
 */

/** Prefix sums: offsets[i] is the top of row i, offsets[n] the total height. */
export function rowOffsets(heights: readonly number[]): Float64Array {
  const offsets = new Float64Array(heights.length + 1);
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = offsets[i]! + heights[i]!;
  return offsets;
}

/** Index of the row containing `y` (clamped to the rows). */
export function rowAt(offsets: Float64Array, y: number): number {
  const n = offsets.length - 1;
  if (n <= 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows [start, end) to render: those in the viewport, plus `overscanPx` above and below. */
export function visibleRange(
  offsets: Float64Array,
  scrollTop: number,
  viewportPx: number,
  overscanPx: number,
): { start: number; end: number } {
  const n = offsets.length - 1;
  if (n <= 0) return { start: 0, end: 0 };
  const start = rowAt(offsets, Math.max(0, scrollTop - overscanPx));
  const end = rowAt(offsets, scrollTop + viewportPx + overscanPx) + 1;
  return { start, end: Math.min(n, end) };
}

/** What the reader is looking at: a row, and how far into it the viewport's top is. */
export interface ScrollAnchor {
  key: string;
  offsetPx: number;
}

/**
 * The anchor for a scroll position: the row at the viewport's top, or the
 * next one that can anchor. Some rows cannot: a header ("loading older…")
 * stays first while content is inserted below it, and a day separator moves
 * up when older messages of the same day arrive — anchoring to either would
 * not hold the reader's place.
 */
export function anchorAt(
  offsets: Float64Array,
  keys: readonly string[],
  scrollTop: number,
  canAnchor: (index: number) => boolean = () => true,
): ScrollAnchor | null {
  for (let i = rowAt(offsets, scrollTop); i < keys.length; i++) {
    if (canAnchor(i)) return { key: keys[i]!, offsetPx: scrollTop - offsets[i]! };
  }
  return null;
}

/** The scrollTop that puts the anchor back where it was; null when its row is gone. */
export function scrollTopFor(
  offsets: Float64Array,
  indexOfKey: (key: string) => number,
  anchor: ScrollAnchor,
): number | null {
  const i = indexOfKey(anchor.key);
  if (i < 0) return null;
  return offsets[i]! + anchor.offsetPx;
}

/** Near enough to the end to count as "at the bottom" (and follow new messages). */
export function isAtBottom(
  scrollTop: number,
  viewportPx: number,
  totalPx: number,
  slackPx: number,
): boolean {
  return totalPx - (scrollTop + viewportPx) <= slackPx;
}
