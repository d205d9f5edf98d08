/**
 * The virtualized message list: only the rows in view (plus overscan) are in
 * the DOM, each measured by a ResizeObserver once rendered; everything else
 * is an estimate. Scrolling is anchored to the row at the top of the
 * viewport, so older messages arriving above, or a row's real height
 * replacing its estimate, never move what the reader is looking at. At the
 * bottom the list follows new messages; near the top it asks for older ones.
 */
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import {
  anchorAt,
  isAtBottom,
  rowOffsets,
  type ScrollAnchor,
  scrollTopFor,
  visibleRange,
} from './virtual-window.ts';

export const LIST_TUNING = {
  /** Rendered beyond the viewport in each direction. */
  overscanPx: 600,
  /** Closer than this to the top asks for older messages. */
  loadOlderWithinPx: 800,
  /** Within this of the bottom counts as "at the bottom" (follows new messages). */
  bottomSlackPx: 32,
  /** Where a jumped-to message lands: this fraction down the viewport. */
  jumpTopFraction: 0.3,
} as const;

export interface ListController {
  /** Brings a row to about a third down the viewport. */
  jumpTo(key: string): void;
  /** Scrolls just enough to show the row, then focuses `focusSelector` inside it (null: no focus). */
  reveal(key: string, focusSelector?: string | null): void;
  toBottom(): void;
  isRendered(key: string): boolean;
}

export interface MessageListProps<R extends { key: string }> {
  rows: readonly R[];
  estimateHeight(row: R): number;
  renderRow(row: R): ComponentChildren;
  label: string;
  /** Near the top: load older rows (the list anchors itself while they arrive). */
  onNearTop(): void;
  onBottomChange(atBottom: boolean): void;
  controller: { current: ListController | null };
  /** Rows whose place moves when rows are inserted (headers, day separators) cannot anchor. */
  canAnchor?(row: R): boolean;
}

export function MessageList<R extends { key: string }>(props: MessageListProps<R>) {
  const { rows } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const measured = useRef(new Map<string, number>());
  const stick = useRef(true);
  const anchor = useRef<ScrollAnchor | null>(null);
  const ownScrollTop = useRef<number | null>(null);
  const pendingFocus = useRef<{ key: string; selector: string } | null>(null);
  const [measureVersion, setMeasureVersion] = useState(0);
  const [view, setView] = useState({ top: 0, height: 0 });
  const [atBottom, setAtBottom] = useState(true);

  const keys = useMemo(() => rows.map((r) => r.key), [rows]);
  const indexByKey = useMemo(() => new Map(keys.map((k, i) => [k, i])), [keys]);
  // measureVersion stands for the measured map's contents.
  const offsets = useMemo(
    () => rowOffsets(rows.map((r) => measured.current.get(r.key) ?? props.estimateHeight(r))),
    [rows, measureVersion],
  );
  const content = offsets[rows.length] ?? 0;
  // A short conversation sits at the bottom, next to the composer, as in every chat app.
  const pad = Math.max(0, view.height - content);
  const total = content + pad;
  // Until the viewport is known (first layout), render no rows rather than the wrong ones.
  const { start, end } =
    view.height === 0
      ? { start: 0, end: 0 }
      : visibleRange(offsets, view.top, view.height, LIST_TUNING.overscanPx);

  const observer = useMemo(
    () =>
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver((entries) => {
            let changed = false;
            for (const entry of entries) {
              const el = entry.target as HTMLElement;
              const key = el.dataset.key;
              if (!key || !el.isConnected) continue;
              const h = entry.borderBoxSize[0]?.blockSize ?? el.offsetHeight;
              if (Math.abs((measured.current.get(key) ?? -1) - h) > 0.5) {
                measured.current.set(key, h);
                changed = true;
              }
            }
            if (changed) setMeasureVersion((v) => v + 1);
          }),
    [],
  );
  useLayoutEffect(() => () => observer?.disconnect(), [observer]);

  const indexOf = (key: string) => indexByKey.get(key) ?? -1;

  const readScroll = () => {
    const el = scroller.current;
    if (!el) return;
    // Our own correction is not the reader moving: keep the anchor we corrected to
    // (re-anchoring to a row not yet measured would let the rows below it drift).
    const ours = ownScrollTop.current !== null && Math.abs(el.scrollTop - ownScrollTop.current) < 1;
    ownScrollTop.current = null;
    const bottom = isAtBottom(el.scrollTop, el.clientHeight, total, LIST_TUNING.bottomSlackPx);
    if (!ours) {
      stick.current = bottom;
      anchor.current = anchorAt(offsets, keys, el.scrollTop, (i) =>
        props.canAnchor ? props.canAnchor(rows[i]!) : true,
      );
    }
    if (bottom !== atBottom) {
      setAtBottom(bottom);
      props.onBottomChange(bottom);
    }
    if (el.scrollTop !== view.top || el.clientHeight !== view.height) {
      setView({ top: el.scrollTop, height: el.clientHeight });
    }
    if (el.scrollTop < LIST_TUNING.loadOlderWithinPx) props.onNearTop();
  };

  // After every render: keep the reader's place (bottom, or the anchor row).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let target: number | null = null;
    if (stick.current) target = Math.max(0, total - el.clientHeight);
    else if (anchor.current) target = scrollTopFor(offsets, indexOf, anchor.current);
    if (target !== null) {
      target = Math.max(0, Math.min(target, total - el.clientHeight));
      if (Math.abs(el.scrollTop - target) > 1) {
        el.scrollTop = target;
        ownScrollTop.current = el.scrollTop;
      }
    }
    // Render for where we are now, without waiting for the scroll event.
    if (el.clientHeight !== view.height || Math.abs(el.scrollTop - view.top) > 1) {
      setView({ top: el.scrollTop, height: el.clientHeight });
    }
    const focus = pendingFocus.current;
    if (focus) {
      const row = el.querySelector<HTMLElement>(`[data-key="${CSS.escape(focus.key)}"]`);
      const target = row?.querySelector<HTMLElement>(focus.selector);
      if (target) {
        pendingFocus.current = null;
        target.focus({ preventScroll: true });
      }
    }
    // Too few rows to scroll: there is no "top" to scroll to, so ask now.
    if (content <= el.clientHeight) props.onNearTop();
  });

  // Resizing the window changes the viewport, and text reflows.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setView({ top: el.scrollTop, height: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const rerender = () => setMeasureVersion((v) => v + 1);
  props.controller.current = {
    jumpTo(key) {
      const el = scroller.current;
      if (!el || indexOf(key) < 0) return;
      stick.current = false;
      anchor.current = { key, offsetPx: -el.clientHeight * LIST_TUNING.jumpTopFraction };
      rerender();
    },
    reveal(key, selector = 'article') {
      const el = scroller.current;
      const i = indexOf(key);
      if (!el || i < 0) return;
      pendingFocus.current = selector === null ? null : { key, selector };
      const top = offsets[i]!;
      const bottom = offsets[i + 1]!;
      if (top < el.scrollTop) {
        stick.current = false;
        anchor.current = { key, offsetPx: 0 };
      } else if (bottom > el.scrollTop + el.clientHeight) {
        stick.current = i === rows.length - 1;
        anchor.current = { key, offsetPx: bottom - top - el.clientHeight };
      }
      rerender();
    },
    toBottom() {
      stick.current = true;
      anchor.current = null;
      rerender();
    },
    isRendered: (key) => {
      const i = indexOf(key);
      return i >= start && i < end;
    },
  };

  const observed = useRef(new Set<HTMLElement>());
  const observe = (el: HTMLElement | null) => {
    if (!el || !observer || observed.current.has(el)) return;
    observer.observe(el);
    observed.current.add(el);
  };
  // Rows that scrolled out of the window were unmounted: stop watching them.
  useLayoutEffect(() => {
    for (const el of observed.current) {
      if (el.isConnected) continue;
      observer?.unobserve(el);
      observed.current.delete(el);
    }
  });

  return (
    <div
      ref={scroller}
      class="conv-scroller"
      role="log"
      aria-label={props.label}
      // New messages are announced while following the conversation; while
      // reading back, rows that scroll into view are not news.
      aria-live={atBottom ? 'polite' : 'off'}
      aria-relevant="additions"
      onScroll={readScroll}
    >
      <div class="conv-scroll-content" style={{ height: `${total}px` }}>
        <div
          class="conv-rows"
          style={{ transform: `translateY(${pad + (offsets[start] ?? 0)}px)` }}
        >
          {rows.slice(start, end).map((row) => (
            <div key={row.key} class="conv-row" data-key={row.key} ref={observe}>
              {props.renderRow(row)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
