/**
 * Running a benchmark's browser half: bundle its entry with esbuild, serve it
 * from http://127.0.0.1 (crypto.subtle and IndexedDB are absent on
 * about:blank), open it in the Debian Chromium, and read the outcome the page
 * leaves in `globalThis.__parleyBench`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../test/support/chromium.ts';

export interface BenchPage {
  /** Chromium's version, for the result's machine. */
  version: string;
  /** Loads the page with this query and resolves with what it measured. */
  run<T>(query?: Record<string, string>): Promise<T>;
}

async function bundle(entry: string, label: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error(`bench/${label}: esbuild produced no output`);
  return file.text;
}

/** Opens the bench page, hands it to `use`, and always closes browser and server. */
export async function withBenchPage<T>(
  entry: string,
  label: string,
  timeoutMs: number,
  use: (page: BenchPage) => Promise<T>,
): Promise<T> {
  const script = await bundle(entry, label);
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
    return await use({
      version: browser.version(),
      async run<R>(query: Record<string, string> = {}): Promise<R> {
        await page.goto(`http://127.0.0.1:${port}/?${new URLSearchParams(query)}`);
        await page.waitForFunction(() => '__parleyBench' in globalThis, undefined, {
          timeout: timeoutMs,
        });
        const outcome = (await page.evaluate(
          () => (globalThis as { __parleyBench?: Promise<unknown> }).__parleyBench,
        )) as { ok: true; figures: R } | { ok: false; error: string };
        if (!outcome.ok) throw new Error(`bench/${label} in Chromium: ${outcome.error}`);
        return outcome.figures;
      },
    });
  } finally {
    await browser.close();
    server.close();
  }
}
