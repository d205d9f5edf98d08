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
import { fileURLToPath } from 'node:url';
import { loadSodium } from '../shared/crypto/sodium.ts';
import { withBenchPage } from './lib/browser-bench.ts';
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
import { type BenchResult, machineInfo, quick } from './lib/result.ts';

const MESSAGES = quick ? 2_000 : 10_000;
const READ_RUNS = quick ? 3 : 9;
const FIND_RUNS = quick ? 1 : 3;
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
    figure: figures.openAndNewest100MedianMs ?? null,
    unit: 'ms',
    peers: { plaintextIdbStore: figures.bareOpenAndNewest100MedianMs ?? null },
    ratio: figures.openAndNewest100VsBareRatio ?? null,
    figures,
    target: { ...HISTORY_TARGET },
    meetsTarget:
      (figures.openAndNewest100MedianMs ?? Infinity) <= HISTORY_TARGET.openAndNewest100Ms,
    machine: machineInfo(chromiumVersion),
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

function measureInChromium(): Promise<{ figures: Record<string, number>; version: string }> {
  return withBenchPage(ENTRY, 'history', STEP_TIMEOUT_MS, async (page) => {
    const run = <T>(query: Record<string, string>) => page.run<T>({ db: DB_NAME, ...query });
    const figures = await measure({
      fill: () => run<FillFigures>({ step: 'fill', count: String(MESSAGES) }),
      read: (newestId) => run<ReadFigures>({ step: 'read', newest: newestId }),
      readBare: () => run<number>({ step: 'readBare' }),
      find: () => run<number>({ step: 'find' }),
      drop: () => run<void>({ step: 'drop' }),
    });
    return { figures, version: page.version };
  });
}

export default async function historyBench(): Promise<BenchResult[]> {
  const node = result('node', await measureInNode());
  const browser = await measureInChromium();
  return [node, result('chromium', browser.figures, browser.version)];
}
