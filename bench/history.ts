/**
 * P6 — history (TARGETS.md): open a conversation holding 10 000 messages and
 * read the newest 100, plus insert throughput (batches of 500, and one event
 * per transaction as live messages arrive) and a search that decrypts the
 * whole conversation. Beside each figure, the same walk over a bare
 * plaintext idb store in the same run: the floor.
 *
 * Twice: in Node over fake-indexeddb (in memory, pure JS, so slower per
 * request than a browser, and "cold" only means a new connection), and in
 * headless Chromium over real IndexedDB, where every read is a fresh page
 * load opening the database from a new document.
 *
 * Run: `npx tsx bench/run.ts history` (or `npm run bench -- history`).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { loadSodium } from '../shared/crypto/sodium.ts';
import { chromiumArgs, chromiumPath } from '../test/support/chromium.ts';
import {
  dropHistory,
  type FillFigures,
  fillHistory,
  findScan,
  HISTORY_TARGET,
  median,
  type ReadFigures,
  readBareNewest,
  readNewest,
  round2,
} from './lib/history-core.ts';
import type { BenchResult } from './lib/result.ts';

const MESSAGES = 10_000;
const READ_RUNS = 9;
const FIND_RUNS = 3;
const DB_NAME = 'parley-bench-history';
const ENTRY = fileURLToPath(new URL('./lib/history-browser-entry.ts', import.meta.url));
const STEP_TIMEOUT_MS = 180_000;

interface Steps {
  fill(): Promise<FillFigures>;
  read(newestId: string): Promise<ReadFigures>;
  readBare(): Promise<number>;
  find(): Promise<number>;
  drop(): Promise<void>;
}

async function measure(steps: Steps): Promise<Record<string, number>> {
  const fill = await steps.fill();
  const reads: ReadFigures[] = [];
  const bareReads: number[] = [];
  for (let i = 0; i < READ_RUNS; i++) {
    reads.push(await steps.read(fill.newestId));
    bareReads.push(await steps.readBare());
  }
  const finds: number[] = [];
  for (let i = 0; i < FIND_RUNS; i++) finds.push(await steps.find());
  await steps.drop();
  const med = (pick: (r: ReadFigures) => number) => round2(median(reads.map(pick)));
  const openAndNewest100MedianMs = med((r) => r.openAndNewest100Ms);
  const bareOpenAndNewest100MedianMs = round2(median(bareReads));
  return {
    messages: MESSAGES,
    openAndNewest100MedianMs,
    openAndNewest100MaxMs: round2(Math.max(...reads.map((r) => r.openAndNewest100Ms))),
    openMedianMs: med((r) => r.openMs),
    nextOlder100MedianMs: med((r) => r.nextOlder100Ms),
    bareOpenAndNewest100MedianMs,
    openAndNewest100VsBareRatio: round2(openAndNewest100MedianMs / bareOpenAndNewest100MedianMs),
    insertBatchedPerSec: fill.insertBatchedPerSec,
    insertOnePerTxPerSec: fill.insertOnePerTxPerSec,
    bareInsertBatchedPerSec: fill.bareInsertBatchedPerSec,
    findFullScanMedianMs: round2(median(finds)),
  };
}

function result(
  env: BenchResult['env'],
  figures: Record<string, number>,
  chromiumVersion?: string,
): BenchResult {
  return {
    id: 'P6',
    bench: 'history',
    env,
    figures,
    target: { ...HISTORY_TARGET },
    meetsTarget:
      (figures.openAndNewest100MedianMs ?? Infinity) <= HISTORY_TARGET.openAndNewest100Ms,
    machine: {
      cores: os.cpus().length,
      memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      ...(chromiumVersion ? { chromium: chromiumVersion } : {}),
    },
  };
}

async function measureInNode(): Promise<Record<string, number>> {
  // Installed here, not at import, so the bench runner's process gains no
  // global indexedDB unless this bench runs.
  // (A variable specifier: the package's `auto` entry ships no types.)
  const installGlobals = 'fake-indexeddb/auto';
  await import(installGlobals);
  await loadSodium();
  return measure({
    fill: () => fillHistory(DB_NAME, MESSAGES),
    read: (newestId) => readNewest(DB_NAME, newestId),
    readBare: () => readBareNewest(DB_NAME),
    find: () => findScan(DB_NAME),
    drop: () => dropHistory(DB_NAME),
  });
}

async function bundleBrowserEntry(): Promise<string> {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('bench/history: esbuild produced no output');
  return file.text;
}

async function measureInChromium(): Promise<{ figures: Record<string, number>; version: string }> {
  const script = await bundleBrowserEntry();
  const server = createServer((req, res) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><meta charset="utf-8"><script type="module" src="/bench.js"></script>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  try {
    const page = await browser.newPage();
    const run = async <T>(query: Record<string, string>): Promise<T> => {
      const search = new URLSearchParams({ db: DB_NAME, ...query });
      await page.goto(`http://127.0.0.1:${port}/?${search}`);
      await page.waitForFunction(() => '__parleyBench' in globalThis, undefined, {
        timeout: STEP_TIMEOUT_MS,
      });
      const outcome = (await page.evaluate(
        () => (globalThis as { __parleyBench?: Promise<unknown> }).__parleyBench,
      )) as { ok: true; figures: T } | { ok: false; error: string };
      if (!outcome.ok) throw new Error(`bench/history in Chromium: ${outcome.error}`);
      return outcome.figures;
    };
    const figures = await measure({
      fill: () => run<FillFigures>({ step: 'fill', count: String(MESSAGES) }),
      read: (newestId) => run<ReadFigures>({ step: 'read', newest: newestId }),
      readBare: () => run<number>({ step: 'readBare' }),
      find: () => run<number>({ step: 'find' }),
      drop: () => run<void>({ step: 'drop' }),
    });
    return { figures, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

export default async function historyBench(): Promise<BenchResult[]> {
  const node = result('node', await measureInNode());
  const browser = await measureInChromium();
  return [node, result('chromium', browser.figures, browser.version)];
}
