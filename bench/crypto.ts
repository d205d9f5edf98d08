/**
 * P5 — crypto in the browser (TARGETS.md): 64 KiB-chunk AEAD and
 * secretstream throughput, Ed25519 sign/verify of 256 B messages, Argon2id at
 * the default parameters, a full link handshake, sealed mail and safety
 * numbers; once in Node and once in headless Chromium. The Chromium page is
 * served from http://127.0.0.1 (crypto.subtle and friends are absent on
 * about:blank) and the measurements are the same code, bundled by esbuild.
 *
 * Run: `npx tsx bench/run.ts crypto` (or `npm run bench -- crypto`).
 */
import { fileURLToPath } from 'node:url';
import { withBenchPage } from './lib/browser-bench.ts';
import { CRYPTO_TARGET, type CryptoFigures, measureCrypto } from './lib/crypto-core.ts';
import { type BenchResult, machineInfo } from './lib/result.ts';

const ENTRY = fileURLToPath(new URL('./lib/crypto-browser-entry.ts', import.meta.url));
/** Argon2id at 64 MiB and the throughput rounds take a few seconds in Chromium. */
const BROWSER_TIMEOUT_MS = 120_000;

function result(
  env: BenchResult['env'],
  figures: CryptoFigures,
  chromiumVersion?: string,
): BenchResult {
  return {
    id: 'P5',
    bench: 'crypto',
    env,
    figure: figures.aeadEncryptMBps,
    unit: 'MB/s',
    figures: { ...figures },
    target: { ...CRYPTO_TARGET },
    meetsTarget:
      figures.aeadEncryptMBps >= CRYPTO_TARGET.chunkEncryptMBps &&
      figures.ed25519VerifyPerSec >= CRYPTO_TARGET.verifyPerSec,
    machine: machineInfo(chromiumVersion),
  };
}

function measureInChromium(): Promise<{ figures: CryptoFigures; version: string }> {
  return withBenchPage(ENTRY, 'crypto', BROWSER_TIMEOUT_MS, async (page) => ({
    figures: await page.run<CryptoFigures>(),
    version: page.version,
  }));
}

export default async function cryptoBench(): Promise<BenchResult[]> {
  const node = result('node', await measureCrypto());
  const browser = await measureInChromium();
  return [node, result('chromium', browser.figures, browser.version)];
}
