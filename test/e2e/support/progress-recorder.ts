/**
 * Records every progress bar state a page shows, from inside the page: a
 * 20 MB transfer over loopback can be over between two polls from Node,
 * but a MutationObserver sees every value the UI actually rendered.
 */
import type { Page } from 'playwright-core';

export interface ProgressSample {
  /** The progressbar's accessible name (aria-label or aria-labelledby text). */
  name: string;
  /** aria-valuenow as rendered (null when absent). */
  valueNow: string | null;
  /** The text of the file's group (or the bar's parent) at that moment. */
  text: string;
}

export async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const samples: ProgressSample[] = [];
    (globalThis as unknown as { parleyProgress: ProgressSample[] }).parleyProgress = samples;
    const nameOf = (el: Element): string => {
      const label = el.getAttribute('aria-label');
      if (label) return label;
      const ids = el.getAttribute('aria-labelledby');
      if (!ids) return '';
      return ids
        .split(/\s+/)
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' ')
        .trim();
    };
    const isBar = (el: Element): boolean =>
      el.getAttribute('role') === 'progressbar' || el.tagName === 'PROGRESS';
    const record = (bar: Element): void => {
      const around = bar.closest('[role="group"], fieldset, figure') ?? bar.parentElement;
      samples.push({
        name: nameOf(bar),
        valueNow: bar.getAttribute('aria-valuenow'),
        text: around?.textContent ?? '',
      });
    };
    const barsIn = (node: Node | null): Element[] => {
      const el = node instanceof Element ? node : (node?.parentElement ?? null);
      if (!el) return [];
      const bars = Array.from(el.querySelectorAll('[role="progressbar"], progress'));
      if (isBar(el)) bars.unshift(el);
      // Text changes inside a file's group belong to the bar in that group.
      const group = el.closest('[role="group"], fieldset, figure');
      if (group) {
        for (const b of Array.from(group.querySelectorAll('[role="progressbar"], progress'))) {
          if (!bars.includes(b)) bars.push(b);
        }
      }
      return bars;
    };
    new MutationObserver((mutations) => {
      const touched = new Set<Element>();
      for (const m of mutations) {
        for (const bar of barsIn(m.target)) touched.add(bar);
        for (const added of Array.from(m.addedNodes)) {
          for (const bar of barsIn(added)) touched.add(bar);
        }
      }
      for (const bar of touched) record(bar);
    }).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-valuenow', 'value'],
    });
  });
}

export async function progressSamples(page: Page): Promise<ProgressSample[]> {
  return page.evaluate(
    () => (globalThis as unknown as { parleyProgress?: ProgressSample[] }).parleyProgress ?? [],
  );
}
