/**
 * A Chromium page to a Chromium page: two whole engines in two browser
 * contexts (separate storage), a real data channel between them, 64 MiB
 * from a Blob into OPFS, verified against the signed hash by the engine and
 * again here (SHA-256 of what the receiver saved). Incoming files go through
 * the app's default sink: the files worker's sync access handles
 * (/files-worker.js, served under the relay's CSP); the page's writable
 * fallback is covered too. A 256 MiB file checks that the receiver's memory
 * stays bounded: its renderer (a Chromium process of its own) is sampled.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
/** Sampling period of the receiving renderer's RSS. */
const RSS_SAMPLE_MS = 50;
/**
 * The receiver's growth while 256 MiB arrive stays under half the file. Most
 * of it is fixed (measured: +93 MiB RSS for 64 MiB, +115 MiB for 256 MiB:
 * the WebRTC stack's buffers, the libsodium heap, lazily collected garbage);
 * a receiver that kept the file would grow by more than all of it.
 */
const MEMORY_BOUND_BYTES = 128 * MIB;
/** Chromium's performance.memory is bucketed unless asked for precise figures. */
const MEASURE_ARGS = ['--enable-precise-memory-info'];
let relay: TestRelay;
let browser: Browser;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'parley-files-web-'));
  const bundle = (entry: string, outfile: string) =>
    build({
      entryPoints: [entry],
      outfile: join(webDir, outfile),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['chrome110'],
      define: { global: 'globalThis' },
      inject: [join(import.meta.dirname, '..', '..', 'web', 'shims', 'process.ts')],
      logLevel: 'warning',
    });
  await bundle(join(import.meta.dirname, 'files-browser-entry.ts'), 'files.js');
  // The same worker entry web/build.ts builds for the app, at the same URL.
  await bundle(
    join(import.meta.dirname, '..', '..', 'web', 'core', 'files', 'opfs-worker-entry.ts'),
    'files-worker.js',
  );
  writeFileSync(
    join(webDir, 'index.html'),
    '<!doctype html><html><head><title>loading</title><script type="module" src="/files.js"></script></head><body></body></html>',
  );
  relay = await startTestRelay({ webDir });
  browser = await launch();
}, 60_000);

function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // Host candidates as plain addresses: the two pages cannot resolve each other's mDNS names here.
    args: [...chromiumArgs, ...MEASURE_ARGS, '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
}

afterAll(async () => {
  await browser?.close();
  await relay?.destroy();
  rmSync(webDir, { recursive: true, force: true });
});

async function openPage(into: Browser = browser): Promise<Page> {
  const context = await into.newContext();
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

type Ice = { iceServers: RTCIceServer[]; relayOnly: boolean };
const NO_ICE: Ice = { iceServers: [], relayOnly: false };

interface TransferFigures {
  seconds: number;
  sinkKind: string;
  /** The receiving page's JS heap (performance.memory) before and at its peak. */
  heap: { baseline: number; peak: number } | null;
  /** The receiving browser's largest renderer RSS before and at its peak (own browser only). */
  rss: { baseline: number; peak: number } | null;
}

/** Resident set of a process in bytes (Linux /proc), or 0 once it is gone. */
function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the largest renderer of a browser (the receiving page's, and its workers'). */
async function sampleRenderers(into: Browser): Promise<() => { baseline: number; peak: number }> {
  const cdp = await into.newBrowserCDPSession();
  const info = (await cdp.send('SystemInfo.getProcessInfo' as never)) as {
    processInfo: Array<{ type: string; id: number }>;
  };
  await cdp.detach();
  const pids = info.processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
  const largest = () => Math.max(0, ...pids.map(rssBytes));
  const baseline = largest();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, largest());
  }, RSS_SAMPLE_MS);
  return () => {
    clearInterval(timer);
    return { baseline, peak };
  };
}

/** Two pages in a room; A shares `size` bytes, B accepts; seconds from accept to verified, and B's figures. */
async function pagesTransfer(
  size: number,
  expectedPath: 'direct' | 'turn',
  opts: { ice?: Ice; sink?: 'default' | 'writable'; receiver?: Browser } = {},
): Promise<TransferFigures> {
  const [a, b] = [await openPage(), await openPage(opts.receiver)];
  const ice = opts.ice ?? NO_ICE;
  await call(a, 'start', uniqueUsername('pa'), ice);
  await call(b, 'start', uniqueUsername('pb'), ice, opts.sink ?? 'default');
  const sinkKind = await call(b, 'sinkKind');
  const roomId = await call(a, 'createRoom');
  await call(b, 'joinRoom', roomId);
  await poll(async () => (await call(a, 'path', roomId)) !== null, 20_000, 'pages linked');
  expect(await call(a, 'path', roomId)).toBe(expectedPath);
  // Past 64 MiB the sender's file is written to OPFS piecewise, not built as one Blob.
  const { fileId, sha256 } =
    size > 64 * MIB
      ? await call(a, 'shareLarge', roomId, size, 77)
      : await call(a, 'share', roomId, size, 77);
  await poll(async () => (await call(b, 'transfer', fileId, 'in')) !== null, 15_000, 'offer shown');
  const stopRss = opts.receiver ? await sampleRenderers(opts.receiver) : null;
  await call(b, 'startHeapSampling');
  const started = Date.now();
  if ((await call(b, 'transfer', fileId, 'in'))?.state === 'offered') {
    await call(b, 'accept', `in:${fileId}`);
  }
  const ended = async () =>
    ['complete', 'failed', 'cancelled'].includes(
      (await call(b, 'transfer', fileId, 'in'))?.state ?? '',
    );
  await poll(ended, 180_000, 'transfer finished');
  const seconds = (Date.now() - started) / 1000;
  const heap = await call(b, 'stopHeapSampling');
  const rss = stopRss?.() ?? null;
  const done = await call(b, 'transfer', fileId, 'in');
  expect(done?.state).toBe('complete');
  expect(await call(b, 'savedSha256', done?.savedAs as string)).toBe(sha256);
  await a.context().close();
  await b.context().close();
  return { seconds, sinkKind, heap, rss };
}

const mib = (bytes: number) => (bytes / MIB).toFixed(1);

describe('file sharing between two Chromium pages', () => {
  it('64 MiB goes page to page over a data channel into OPFS through the files worker (sync access handles), byte-identical', async () => {
    const { seconds, sinkKind, heap } = await pagesTransfer(64 * MIB, 'direct');
    expect(sinkKind).toBe('sync-access-worker');
    console.log(
      `[files] 64 MiB Chromium page → page (${sinkKind}): ${(64 / seconds).toFixed(1)} MiB/s; ` +
        `receiver JS heap ${heap ? `${mib(heap.baseline)} → peak ${mib(heap.peak)} MiB` : 'n/a'}`,
    );
  }, 120_000);

  it('where the worker sink is not used, the page writable sink still saves a byte-identical file', async () => {
    const { seconds, sinkKind } = await pagesTransfer(16 * MIB, 'direct', { sink: 'writable' });
    expect(sinkKind).toBe('writable');
    console.log(
      `[files] 16 MiB page → page (writable fallback): ${(16 / seconds).toFixed(1)} MiB/s`,
    );
  }, 90_000);

  it('256 MiB into OPFS through the files worker: the receiving renderer stays bounded (RSS and JS heap far below the file size)', async () => {
    // The receiver in a Chromium of its own, so its renderers are the receiver's alone.
    const receiver = await launch();
    try {
      const size = 256 * MIB;
      const { seconds, sinkKind, heap, rss } = await pagesTransfer(size, 'direct', { receiver });
      expect(sinkKind).toBe('sync-access-worker');
      console.log(
        `[files] 256 MiB page → page (${sinkKind}): ${(256 / seconds).toFixed(1)} MiB/s; ` +
          `receiver renderer RSS ${rss ? `${mib(rss.baseline)} → peak ${mib(rss.peak)} MiB` : 'n/a'}; ` +
          `JS heap ${heap ? `${mib(heap.baseline)} → peak ${mib(heap.peak)} MiB` : 'n/a'}`,
      );
      if (rss) expect(rss.peak - rss.baseline).toBeLessThan(MEMORY_BOUND_BYTES);
      if (heap) expect(heap.peak - heap.baseline).toBeLessThan(MEMORY_BOUND_BYTES);
    } finally {
      await receiver.close();
    }
  }, 240_000);

  it('the sending engine restarts mid-transfer: its file, shared from an OPFS handle, is reopened and the receiver resumes (byte-identical)', async () => {
    const [a, b] = [await openPage(), await openPage()];
    await call(a, 'start', uniqueUsername('pa'));
    await call(b, 'start', uniqueUsername('pb'));
    const roomId = await call(a, 'createRoom');
    await call(b, 'joinRoom', roomId);
    await poll(async () => (await call(a, 'path', roomId)) !== null, 20_000, 'pages linked');
    const segments = 3;
    const { fileId, sha256 } = await call(a, 'shareFromOpfs', roomId, segments * 16 * MIB, 78);
    await poll(async () => (await call(b, 'transfer', fileId, 'in')) !== null, 15_000, 'offer');
    await call(b, 'accept', `in:${fileId}`);
    await poll(
      async () => ((await call(b, 'transfer', fileId, 'in'))?.bytesDone ?? 0) >= 20 * MIB,
      60_000,
      'part of the file arrived',
    );
    const outId = `out:${fileId}:${await call(b, 'deviceId')}`;
    const before = (await call(a, 'outgoing', outId))?.segmentsStarted ?? 0;
    await call(a, 'restartEngine');
    const ended = async () =>
      ['complete', 'failed', 'cancelled'].includes(
        (await call(b, 'transfer', fileId, 'in'))?.state ?? '',
      );
    await poll(ended, 90_000, 'transfer finished');
    const done = await call(b, 'transfer', fileId, 'in');
    expect(done?.state).toBe('complete');
    expect(await call(b, 'savedSha256', done?.savedAs as string)).toBe(sha256);
    expect(await call(a, 'needsSource')).toBe(0);
    const after = (await call(a, 'outgoing', outId))?.segmentsStarted ?? 0;
    console.log(
      `[files] page sender restart: ${before} + ${after} segment streams for ${segments}`,
    );
    expect(before + after).toBeLessThanOrEqual(segments + 2);
    await a.context().close();
    await b.context().close();
  }, 150_000);

  it('the receiving engine restarts mid-transfer: the worker sink reopens the partial file, the rest arrives, and the file read back through the worker verifies', async () => {
    const [a, b] = [await openPage(), await openPage()];
    await call(a, 'start', uniqueUsername('pa'));
    await call(b, 'start', uniqueUsername('pb'));
    const roomId = await call(a, 'createRoom');
    await call(b, 'joinRoom', roomId);
    await poll(async () => (await call(a, 'path', roomId)) !== null, 20_000, 'pages linked');
    const { fileId, sha256 } = await call(a, 'share', roomId, 48 * MIB, 79);
    await poll(async () => (await call(b, 'transfer', fileId, 'in')) !== null, 15_000, 'offer');
    await call(b, 'accept', `in:${fileId}`);
    await poll(
      async () => ((await call(b, 'transfer', fileId, 'in'))?.bytesDone ?? 0) >= 20 * MIB,
      60_000,
      'part of the file arrived',
    );
    await call(b, 'restartEngine');
    expect(await call(b, 'sinkKind')).toBe('sync-access-worker');
    const ended = async () =>
      ['complete', 'failed', 'cancelled'].includes(
        (await call(b, 'transfer', fileId, 'in'))?.state ?? '',
      );
    await poll(ended, 90_000, 'transfer finished');
    const done = await call(b, 'transfer', fileId, 'in');
    expect(done?.state).toBe('complete');
    expect(await call(b, 'savedSha256', done?.savedAs as string)).toBe(sha256);
    await a.context().close();
    await b.context().close();
  }, 150_000);

  it('TURN only: 16 MiB page to page through a coturn on loopback (relay-only ICE)', async () => {
    const turn = await startCoturn();
    try {
      const ice = { iceServers: [turn.iceServer()], relayOnly: true };
      const { seconds } = await pagesTransfer(16 * MIB, 'turn', { ice });
      console.log(`[files] 16 MiB page → page through TURN: ${(16 / seconds).toFixed(1)} MiB/s`);
    } finally {
      await turn.stop();
    }
  }, 90_000);
});
