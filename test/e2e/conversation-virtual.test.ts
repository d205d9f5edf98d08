/**
 * The conversation view in real Chromium, over a fake client (no relay):
 * 10 000 messages stay smooth because only the rows in view are in the DOM,
 * scrolling to the top loads older ones without losing the reader's place,
 * and the page works under the relay's CSP. Also writes the screenshots
 * (light, dark; 1280 and 360 wide) to test-results/screens/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../signal/http-routes.ts';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';

const ORIGIN = 'http://parley.test';
const ROOT = join(import.meta.dirname, '..', '..');
const SCREENS = join(ROOT, 'test-results', 'screens');
/** How long the fake conversation takes to load an older page. */
const LOAD_DELAY_MS = 600;
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
};

let browser: Browser;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'parley-conv-web-'));
  await build({
    entryPoints: {
      page: join(ROOT, 'test', 'unit', 'ui', 'conversation', 'conversation-page.tsx'),
    },
    outdir: webDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
    inject: [join(ROOT, 'web', 'shims', 'process.ts')],
    logLevel: 'warning',
  });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(webDir, { recursive: true, force: true });
});

const INDEX =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>loading</title>' +
  '<meta name="viewport" content="width=device-width, initial-scale=1">' +
  '<link rel="stylesheet" href="/page.css"><script type="module" src="/page.js"></script>' +
  '</head><body><div id="app"></div></body></html>';

async function openPage(
  hash: string,
  options: { width?: number; height?: number; theme?: 'light' | 'dark' | 'contrast' } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(8_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') {
      await route.fulfill({ body: INDEX, contentType: 'text/html', headers: SECURITY_HEADERS });
      return;
    }
    try {
      const body = readFileSync(join(webDir, path.slice(1)));
      await route.fulfill({
        body,
        contentType: TYPES[extname(path)] ?? 'application/octet-stream',
      });
    } catch {
      await route.fulfill({ status: 404, body: 'not found' });
    }
  });
  const query = `?delay=${LOAD_DELAY_MS}${options.theme ? `&theme=${options.theme}` : ''}`;
  await page.goto(`${ORIGIN}/${query}#${hash}`);
  await page.waitForFunction(() => document.title === 'ready');
  return { page, errors };
}

function loadedCount(page: Page): Promise<number> {
  return page.evaluate(() =>
    (
      globalThis as unknown as { parleyConversationTest: { loadedCount(): number } }
    ).parleyConversationTest.loadedCount(),
  );
}

describe('conversation view in Chromium', () => {
  it('keeps fewer than 200 message articles in the DOM over 10 000 messages, loads older ones at the top without jumping, and reaches a replied-to message pages back', async () => {
    const { page, errors } = await openPage('virtual');
    const log = page.getByRole('log', { name: 'Messages' });
    await expect.poll(() => log.getByRole('article').count()).toBeGreaterThan(5);
    expect(await page.locator('article').count()).toBeLessThan(200);
    // The newest message is in view (the list starts at the bottom).
    await expect.poll(() => page.getByText('(#10000)').isVisible(), { timeout: 5_000 }).toBe(true);
    expect(await loadedCount(page)).toBe(100);
    // TARGETS.md P6 (≤ 50 ms to first paint of the newest 100) is for a quiet
    // machine; here the bound only catches rendering every row (seconds), and
    // the figure is printed.
    const timing = await page.evaluate(
      () =>
        (
          globalThis as unknown as {
            parleyConversationTest: { timing: { renderMs: number; firstPaintMs: number } };
          }
        ).parleyConversationTest.timing,
    );
    console.log(
      `conversation view: render ${timing.renderMs.toFixed(1)} ms, first paint ${timing.firstPaintMs.toFixed(1)} ms`,
    );
    expect(timing.firstPaintMs).toBeLessThan(1_000);

    // Scroll to the top repeatedly: each time older messages arrive above.
    for (let i = 0; i < 3; i++) {
      const count = await loadedCount(page);
      await log.evaluate((el) => {
        el.scrollTop = 0;
      });
      await expect.poll(() => loadedCount(page)).toBeGreaterThan(count);
      await page.waitForTimeout(100);
    }
    await expect.poll(() => loadedCount(page)).toBeGreaterThan(300);
    expect(await page.locator('article').count()).toBeLessThan(200);

    // The reader's place holds: what was at the top before older messages
    // arrived is still there, at the same height, after they have.
    await page.waitForTimeout(300);
    const loaded = await loadedCount(page);
    await log.evaluate((el) => {
      el.scrollTop = 0;
    });
    // Older messages take LOAD_DELAY_MS to arrive: look at the top meanwhile.
    await page.waitForTimeout(150);
    const before = (await page.evaluate(
      `(${firstVisible})(document.querySelector('[role="log"]'))`,
    )) as { id: string; top: number };
    expect(await loadedCount(page)).toBe(loaded);
    await expect.poll(() => loadedCount(page)).toBeGreaterThan(loaded);
    await page.waitForTimeout(300);
    const afterTop = await log.evaluate((el, id) => {
      const article = el.querySelector(`[data-message-id="${id}"]`);
      return article ? article.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
    }, before.id);
    expect(before.id).not.toBe('');
    expect(afterTop).not.toBeNull();
    expect(Math.abs((afterTop ?? 0) - before.top)).toBeLessThan(3);

    // Jump to latest brings the newest message back.
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await expect.poll(() => page.getByText('(#10000)').isVisible()).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: 'Jump to latest' }).count()).toBe(0);

    // The newest message replies to #9000, ten pages back: its quote loads them and shows it.
    const newest = log.getByRole('article').filter({ hasText: '(#10000)' });
    await newest.getByRole('button', { name: 'Go to replied message' }).click();
    await expect
      .poll(() => log.getByRole('article').filter({ hasText: '(#9000)' }).isVisible(), {
        timeout: 20_000,
      })
      .toBe(true);
    expect(await loadedCount(page)).toBeGreaterThanOrEqual(1_001);
    expect(await page.locator('article').count()).toBeLessThan(200);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

/** The first article in the log's viewport (runs in the page; no closures). */
function firstVisible(log: Element): { id: string; top: number } {
  const box = log.getBoundingClientRect();
  for (const a of log.querySelectorAll('article')) {
    const r = a.getBoundingClientRect();
    if (r.bottom > box.top + 1 && r.top < box.bottom)
      return { id: a.getAttribute('data-message-id') ?? '', top: r.top - box.top };
  }
  return { id: '', top: 0 };
}

function calls(page: Page): Promise<{ method: string; args: unknown[] }[]> {
  return page.evaluate(() =>
    (
      globalThis as unknown as {
        parleyConversationTest: { calls: { method: string; args: unknown[] }[] };
      }
    ).parleyConversationTest.calls.filter(
      (c) => !['setTyping', 'markRead', 'loadOlder'].includes(c.method),
    ),
  );
}

describe('conversation controls by their contract names', () => {
  it('sends, edits, replies, reacts, deletes and finds', async () => {
    const { page, errors } = await openPage('showcase');
    const box = page.getByRole('textbox', { name: 'Message' });
    const log = page.getByRole('log', { name: 'Messages' });

    // Visible, focused and at the bottom: the conversation is marked read.
    await expect
      .poll(() =>
        page.evaluate(() =>
          (
            globalThis as unknown as {
              parleyConversationTest: { calls: { method: string }[] };
            }
          ).parleyConversationTest.calls.some((c) => c.method === 'markRead'),
        ),
      )
      .toBe(true);

    // Send with Enter; :tada: becomes the emoji.
    await box.fill('hello :tada:');
    await box.press('Enter');
    await expect.poll(() => log.getByText('hello 🎉').count()).toBe(1);
    expect((await calls(page)).at(-1)).toMatchObject({
      method: 'sendText',
      args: ['room-1', 'hello 🎉'],
    });
    expect(await box.inputValue()).toBe('');

    // The ":" popup completes a shortcode.
    await box.pressSequentially(':tad');
    await page.getByRole('listbox', { name: 'Emoji suggestions' }).waitFor();
    await box.press('Enter');
    expect(await box.inputValue()).toBe('🎉 ');
    await box.fill('');

    // ArrowUp in the empty composer edits my last message; Enter saves.
    await box.press('ArrowUp');
    await page.getByRole('status').filter({ hasText: 'Editing message' }).waitFor();
    expect(await box.inputValue()).toBe('hello 🎉');
    await box.fill('hello again');
    await box.press('Enter');
    const mine = log.getByRole('article').filter({ hasText: 'hello again' });
    await mine.getByText('(edited)').waitFor();
    expect((await calls(page)).at(-1)?.method).toBe('editMessage');

    // Escape cancels editing.
    await mine.hover();
    await mine.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Cancel editing' }).waitFor();
    await box.press('Escape');
    await expect.poll(() => page.getByRole('button', { name: 'Cancel editing' }).count()).toBe(0);

    // Reply to carol; the reply shows a quote that jumps to the original.
    const carol = log.getByRole('article').filter({ hasText: 'That is what the' });
    await carol.hover();
    await carol.getByRole('button', { name: 'Reply' }).click();
    await page.getByText('Replying to carol').waitFor();
    await box.fill('yes, a TTL');
    await box.press('Enter');
    const reply = log.getByRole('article').filter({ hasText: 'yes, a TTL' });
    await reply.getByRole('button', { name: 'Go to replied message' }).waitFor();
    const sent = (await calls(page)).at(-1);
    expect(sent?.method).toBe('sendText');
    expect(sent?.args[2]).toEqual(expect.any(String));

    // React from the picker, then toggle it off with the chip.
    await reply.hover();
    await reply.getByRole('button', { name: 'Add reaction' }).click();
    const picker = page.getByRole('dialog', { name: 'Emoji picker' });
    await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('tada');
    await picker.getByRole('button', { name: 'party popper' }).click();
    const chip = reply.getByRole('button', { name: '🎉 1' });
    await expect.poll(() => chip.getAttribute('aria-pressed')).toBe('true');
    await chip.click();
    await expect.poll(() => chip.count()).toBe(0);
    expect((await calls(page)).at(-1)).toMatchObject({
      method: 'react',
      args: [expect.any(String), expect.any(String), '🎉', false],
    });

    // Delete asks first.
    await reply.hover();
    await reply.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete message?' });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await log.getByText('This message was deleted').nth(1).waitFor();
    expect((await calls(page)).at(-1)?.method).toBe('deleteMessage');

    // Find in conversation.
    await page.getByRole('button', { name: 'Find in conversation' }).click();
    await page.getByRole('searchbox', { name: 'Find in conversation' }).fill('per device');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: /of 2$/ }).textContent())
      .toBe('1 of 2');
    await page.getByRole('button', { name: 'Previous match' }).click();
    await page.getByRole('status').filter({ hasText: '2 of 2' }).waitFor();
    await page.getByRole('button', { name: 'Close find' }).click();

    // Messages take focus one at a time: arrow keys move between them.
    const articles = log.getByRole('article');
    const n = await articles.count();
    await articles.nth(n - 1).focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    expect(focused).toBe(await articles.nth(n - 3).getAttribute('aria-label'));
    expect(await articles.nth(n - 3).getAttribute('tabindex')).toBe('0');
    expect(await articles.nth(n - 1).getAttribute('tabindex')).toBe('-1');

    // Mentions of me are marked on the article's name; my messages carry a delivery mark.
    expect(await log.getByRole('article', { name: /, mentions you$/ }).count()).toBe(1);
    expect(await log.getByRole('img', { name: 'Read' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

describe('conversation screenshots', () => {
  const shots: {
    name: string;
    width: number;
    height: number;
    theme: 'light' | 'dark' | 'contrast';
  }[] = [
    { name: 'light-1280', width: 1280, height: 800, theme: 'light' },
    { name: 'dark-1280', width: 1280, height: 800, theme: 'dark' },
    { name: 'light-360', width: 360, height: 740, theme: 'light' },
    { name: 'dark-360', width: 360, height: 740, theme: 'dark' },
    { name: 'contrast-1280', width: 1280, height: 800, theme: 'contrast' },
  ];
  for (const shot of shots) {
    it(`renders the showcase conversation (${shot.name})`, async () => {
      mkdirSync(SCREENS, { recursive: true });
      const { page, errors } = await openPage('showcase', shot);
      await page.getByRole('article').first().waitFor();
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(SCREENS, `conversation-${shot.name}.png`) });
      // Hover a message (actions), then open the emoji picker.
      await page.getByRole('article').nth(2).hover();
      await page.screenshot({ path: join(SCREENS, `conversation-${shot.name}-hover.png`) });
      const jump = page.getByRole('button', { name: 'Jump to latest' });
      if (await jump.count()) await jump.click();
      await page.getByRole('button', { name: 'Emoji', exact: true }).click();
      await page.getByRole('dialog', { name: 'Emoji picker' }).waitFor();
      await page.getByRole('button', { name: 'grinning face', exact: true }).waitFor();
      await page.screenshot({ path: join(SCREENS, `conversation-${shot.name}-picker.png`) });
      await page.keyboard.press('Escape');
      // Reply mode, with find open and a match highlighted.
      const carol = page.getByRole('article').filter({ hasText: 'That is what the' });
      await carol.hover();
      await carol.getByRole('button', { name: 'Reply' }).click();
      await page.getByRole('textbox', { name: 'Message' }).fill('Agreed, :+1: from me');
      await page.getByRole('button', { name: 'Find in conversation' }).click();
      await page.getByRole('searchbox', { name: 'Find in conversation' }).fill('per device');
      await page.getByRole('status').filter({ hasText: '1 of 2' }).waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SCREENS, `conversation-${shot.name}-reply-find.png`) });
      await page.getByRole('button', { name: 'Close find' }).click();
      await page.getByRole('button', { name: 'Cancel reply' }).click();
      // Editing my last message, then the delete confirmation.
      const box = page.getByRole('textbox', { name: 'Message' });
      await box.fill('');
      await box.press('ArrowUp');
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SCREENS, `conversation-${shot.name}-edit.png`) });
      await box.press('Escape');
      const last = page.getByRole('article').last();
      await last.hover();
      await last.getByRole('button', { name: 'Delete' }).click();
      await page.getByRole('dialog', { name: 'Delete message?' }).waitFor();
      await page.screenshot({ path: join(SCREENS, `conversation-${shot.name}-delete.png`) });
      expect(errors).toEqual([]);
      await page.context().close();
    }, 30_000);
  }
});
