/**
 * Bundled by bench/crypto.ts and loaded in Chromium: runs the same
 * measurements as in Node and leaves the outcome on `globalThis` for the
 * driver to collect.
 */
import { measureCrypto } from './crypto-core.ts';

interface BenchGlobal {
  __parleyBench?: Promise<unknown>;
}

(globalThis as BenchGlobal).__parleyBench = measureCrypto().then(
  (figures) => ({ ok: true, figures }),
  (err: unknown) => ({ ok: false, error: String(err) }),
);
