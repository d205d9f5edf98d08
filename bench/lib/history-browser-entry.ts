/**
 * Bundled by bench/history.ts and loaded in Chromium, once per step: the URL's
 * `step` says what to do (`fill`, `read`, `readBare`, `find`, `drop`), and the outcome
 * is left on `globalThis` for the driver. Each `read` is a fresh page load,
 * so the database is opened cold by a new document.
 */
import { loadSodium } from '../../shared/crypto/sodium.ts';
import { dropHistory, fillHistory, findScan, readBareNewest, readNewest } from './history-core.ts';

interface BenchGlobal {
  __parleyBench?: Promise<unknown>;
}

async function step(): Promise<unknown> {
  await loadSodium();
  const params = new URLSearchParams(location.search);
  const dbName = params.get('db') ?? 'parley-bench-history';
  switch (params.get('step')) {
    case 'fill':
      return fillHistory(dbName, Number(params.get('count') ?? 10_000));
    case 'read':
      return readNewest(dbName, params.get('newest') ?? '');
    case 'readBare':
      return readBareNewest(dbName);
    case 'find':
      return findScan(dbName);
    case 'drop':
      return dropHistory(dbName);
    default:
      throw new Error('bench/history: unknown step');
  }
}

(globalThis as BenchGlobal).__parleyBench = step().then(
  (figures) => ({ ok: true, figures }),
  (err: unknown) => ({ ok: false, error: String(err) }),
);
