/**
 * A Chromium page to a Chromium page: two whole engines in two browser
 * contexts (separate storage), a real data channel between them, 64 MiB
 * from a Blob into OPFS, verified against the signed hash by the engine and
 * again here (SHA-256 of what the receiver saved).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';
import { startCoturn } from '../support/coturn.ts';
import type { FilesPageApi } from './files-browser-entry.ts';
import { startTestRelay, type TestRelay, uniqueUsername } from './relay/harness.ts';

const MIB = 1024 * 1024;
let relay: TestRelay;
let browser: Browser;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'parley-files-web-'));
  await build({
    entryPoints: [join(import.meta.dirname, 'files-browser-entry.ts')],
    outfile: join(webDir, 'files.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110'],
    define: { global: 'globalThis' },
    inject: [join(import.meta.dirname, '..', '..', 'web', 'shims', 'process.ts')],
    logLevel: 'warning',
  });
  writeFileSync(
    join(webDir, 'index.html'),
    '<!doctype html><html><head><title>loading</title><script type="module" src="/files.js"></script></head><body></body></html>',
  );
  relay = await startTestRelay({ webDir });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    // Host candidates as plain addresses: the two pages cannot resolve each other's mDNS names here.
    args: [...chromiumArgs, '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.destroy();
  rmSync(webDir, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page]', e.message));
  await page.goto(`${relay.origin}/`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 15_000 });
  return page;
}

type Method = keyof FilesPageApi;

/** Calls the page's test API (functions cross into the page as source, so no closures). */
function call<M extends Method>(
  page: Page,
  method: M,
  ...args: Parameters<FilesPageApi[M]>
): Promise<Awaited<ReturnType<FilesPageApi[M]>>> {
  return page.evaluate(
    ([m, a]) => {
      const target = (globalThis as unknown as { parleyFilesTest: Record<string, unknown> })
        .parleyFilesTest;
      return (target[m as string] as (...x: unknown[]) => unknown)(...(a as unknown[]));
    },
    [method, args] as const,
  ) as Promise<Awaited<ReturnType<FilesPageApi[M]>>>;
}

async function poll(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Two pages in a room; A shares `size` bytes, B accepts; returns seconds from accept to verified. */
async function pagesTransfer(
  size: number,
  expectedPath: 'direct' | 'turn',
  ice?: { iceServers: RTCIceServer[]; relayOnly: boolean },
): Promise<number> {
  const [a, b] = [await openPage(), await openPage()];
  await call(a, 'start', uniqueUsername('pa'), ...(ice ? [ice] : []));
  await call(b, 'start', uniqueUsername('pb'), ...(ice ? [ice] : []));
  const roomId = await call(a, 'createRoom');
  await call(b, 'joinRoom', roomId);
  await poll(async () => (await call(a, 'path', roomId)) !== null, 20_000, 'pages linked');
  expect(await call(a, 'path', roomId)).toBe(expectedPath);
  const { fileId, sha256 } = await call(a, 'share', roomId, size, 77);
  await poll(async () => (await call(b, 'transfer', fileId, 'in')) !== null, 15_000, 'offer shown');
  const started = Date.now();
  if ((await call(b, 'transfer', fileId, 'in'))?.state === 'offered') {
    await call(b, 'accept', `in:${fileId}`);
  }
  const ended = async () =>
    ['complete', 'failed', 'cancelled'].includes(
      (await call(b, 'transfer', fileId, 'in'))?.state ?? '',
    );
  await poll(ended, 60_000, 'transfer finished');
  const seconds = (Date.now() - started) / 1000;
  const done = await call(b, 'transfer', fileId, 'in');
  expect(done?.state).toBe('complete');
  expect(await call(b, 'savedSha256', done?.savedAs as string)).toBe(sha256);
  await a.context().close();
  await b.context().close();
  return seconds;
}

describe('file sharing between two Chromium pages', () => {
  it('64 MiB goes page to page over a data channel into OPFS, byte-identical', async () => {
    const seconds = await pagesTransfer(64 * MIB, 'direct');
    console.log(`[files] 64 MiB Chromium page → page: ${(64 / seconds).toFixed(1)} MiB/s`);
  }, 90_000);

  it('TURN only: 16 MiB page to page through a coturn on loopback (relay-only ICE)', async () => {
    const turn = await startCoturn();
    try {
      const ice = { iceServers: [turn.iceServer()], relayOnly: true };
      const seconds = await pagesTransfer(16 * MIB, 'turn', ice);
      console.log(`[files] 16 MiB page → page through TURN: ${(16 / seconds).toFixed(1)} MiB/s`);
    } finally {
      await turn.stop();
    }
  }, 90_000);
});
