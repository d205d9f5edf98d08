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
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../test/support/chromium.ts';
import { CRYPTO_TARGET, type CryptoFigures, measureCrypto } from './lib/crypto-core.ts';
import type { BenchResult } from './lib/result.ts';

const ENTRY = fileURLToPath(new URL('./lib/crypto-browser-entry.ts', import.meta.url));
/** Argon2id at 64 MiB and the throughput rounds take a few seconds in Chromium. */
const BROWSER_TIMEOUT_MS = 120_000;

function machine(chromiumVersion?: string): BenchResult['machine'] {
  return {
    cores: os.cpus().length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...(chromiumVersion ? { chromium: chromiumVersion } : {}),
  };
}

function result(
  env: BenchResult['env'],
  figures: CryptoFigures,
  chromiumVersion?: string,
): BenchResult {
  return {
    id: 'P5',
    bench: 'crypto',
    env,
    figures: { ...figures },
    target: { ...CRYPTO_TARGET },
    meetsTarget:
      figures.aeadEncryptMBps >= CRYPTO_TARGET.chunkEncryptMBps &&
      figures.ed25519VerifyPerSec >= CRYPTO_TARGET.verifyPerSec,
    machine: machine(chromiumVersion),
  };
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
  if (!file) throw new Error('bench/crypto: esbuild produced no output');
  return file.text;
}

async function measureInChromium(): Promise<{ figures: CryptoFigures; version: string }> {
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
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => '__parleyBench' in globalThis, undefined, {
      timeout: BROWSER_TIMEOUT_MS,
    });
    const outcome = (await page.evaluate(
      () => (globalThis as { __parleyBench?: Promise<unknown> }).__parleyBench,
    )) as { ok: true; figures: CryptoFigures } | { ok: false; error: string };
    if (!outcome.ok) throw new Error(`bench/crypto in Chromium: ${outcome.error}`);
    return { figures: outcome.figures, version: browser.version() };
  } finally {
    await browser.close();
    server.close();
  }
}

export default async function cryptoBench(): Promise<BenchResult[]> {
  const node = result('node', await measureCrypto());
  const browser = await measureInChromium();
  return [node, result('chromium', browser.figures, browser.version)];
}
