/**
 * Node's side of the page benchmarks (P1–P4): a relay serving the engine
 * page, a small server for the comparison page (raw data channel with a
 * trivial WebSocket broadcast for its signalling), optionally a PeerJS
 * server, and one Chromium holding every page. `withCluster` always closes
 * the browser, the servers and the temp dir, whatever happens inside.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { type WebSocket, WebSocketServer } from 'ws';
import { startTestRelay, type TestRelay } from '../../test/integration/relay/harness.ts';
import { chromiumArgs, chromiumPath } from '../../test/support/chromium.ts';
import type { EnginePageApi } from './engine-page-entry.ts';
import type { RawPageApi } from './raw-page-entry.ts';
import { BENCH_BROWSER_SWITCH } from './thread-cpu.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PAGE_READY_TIMEOUT_MS = 20_000;
const MIB = 1024 * 1024;

export interface Cluster {
  relay: TestRelay;
  browser: Browser;
  chromiumVersion: string;
  /** Port of the PeerJS server (`peer`), when asked for. */
  peerServerPort: number | null;
  /** A page with room for engines, in its own browser context (own storage). */
  enginePage(): Promise<Page>;
  /** A comparison page (raw data channel, PeerJS), in its own browser context. */
  rawPage(): Promise<Page>;
}

type Fn = (...args: never[]) => unknown;
type Call<Api extends Record<string, Fn>> = <M extends keyof Api & string>(
  page: Page,
  method: M,
  ...args: Parameters<Api[M]>
) => Promise<Awaited<ReturnType<Api[M]>>>;

/** Calls `globalThis.parleyBench[method](...args)` in the page, giving up after `timeoutMs`. */
function caller<Api extends Record<string, Fn>>(timeoutMs: number): Call<Api> {
  return (page, method, ...args) => {
    const call = page.evaluate(
      ([m, a]) => {
        const api = (globalThis as unknown as { parleyBench: Record<string, unknown> }).parleyBench;
        return (api[m as string] as (...x: unknown[]) => unknown)(...(a as unknown[]));
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<Api[typeof method]>>>;
    return withTimeout(call, timeoutMs, `page call ${method}`);
  };
}

/** Engine page calls; the pages time their own waits, this bounds the call as a whole. */
export const engineCall = caller<EnginePageApi>(300_000);
export const rawCall = caller<RawPageApi>(300_000);

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry.includes('/') ? join(ROOT, entry) : join(ROOT, 'bench', 'lib', entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110'],
    // Readable names in CPU profiles: PARLEY_BENCH_NO_MINIFY=1.
    minify: process.env.PARLEY_BENCH_NO_MINIFY !== '1',
    define: { global: 'globalThis', 'process.env.NODE_ENV': '"production"' },
    inject: [join(ROOT, 'web', 'shims', 'process.ts')],
    logLevel: 'warning',
  });
}

const pageHtml = (script: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>loading</title><script type="module" src="/${script}"></script></head><body></body></html>`;

/** Serves the comparison page and relays every signalling message to the others in its room. */
async function startRawServer(script: string): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/raw.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(pageHtml('raw.js'));
  });
  const rooms = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ server, path: '/signal' });
  wss.on('connection', (ws, req) => {
    const room = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? '';
    const members = rooms.get(room) ?? new Set<WebSocket>();
    rooms.set(room, members);
    members.add(ws);
    ws.on('message', (data, isBinary) => {
      for (const other of members) if (other !== ws) other.send(data, { binary: isBinary });
    });
    ws.on('close', () => members.delete(ws));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  server.on('close', () => wss.close());
  return { origin: `http://127.0.0.1:${port}`, server };
}

async function startPeerServer(): Promise<{ port: number; close(): void }> {
  const { PeerServer } = await import('peer');
  return new Promise((resolve) => {
    const app = PeerServer({ port: 0, host: '127.0.0.1', path: '/' }, (server) => {
      const { port } = server.address() as AddressInfo;
      resolve({ port, close: () => server.close() });
    });
    void app;
  });
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => process.stderr.write(`[bench page] ${e.message}\n`));
  await page.goto(url);
  await page.waitForFunction(() => document.title === 'ready', undefined, {
    timeout: PAGE_READY_TIMEOUT_MS,
  });
  return page;
}

export async function withCluster<T>(
  opts: { peerServer?: boolean },
  use: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-pages-'));
  const cleanups: Array<() => unknown> = [() => rmSync(dir, { recursive: true, force: true })];
  try {
    await bundle('engine-page-entry.ts', join(dir, 'engine.js'));
    // The app's files worker at the app's URL (web/build.ts), for the OPFS sink the app uses.
    await bundle('web/core/files/opfs-worker-entry.ts', join(dir, 'files-worker.js'));
    await bundle('raw-page-entry.ts', join(dir, 'raw.js'));
    writeFileSync(join(dir, 'index.html'), pageHtml('engine.js'));
    const relay = await startTestRelay({
      webDir: dir,
      // One host plays every user: lift the per-IP limits meant for the internet.
      authAttemptsPerMinPerIp: 1_000_000,
      maxConnectionsPerIp: 10_000,
      maxConnectionsPerIdentity: 100,
      maxFileBytes: 1024 * MIB,
    });
    cleanups.push(() => relay.destroy());
    const raw = await startRawServer(readFileSync(join(dir, 'raw.js'), 'utf8'));
    cleanups.push(
      () =>
        new Promise((r) => {
          raw.server.closeAllConnections();
          raw.server.close(r);
        }),
    );
    let peerServerPort: number | null = null;
    if (opts.peerServer) {
      const ps = await startPeerServer();
      cleanups.push(() => ps.close());
      peerServerPort = ps.port;
    }
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      // Host candidates as plain addresses: pages cannot resolve each other's mDNS names here.
      args: [
        ...chromiumArgs,
        '--disable-features=WebRtcHideLocalIpsWithMdns',
        BENCH_BROWSER_SWITCH,
      ],
    });
    cleanups.push(() => browser.close());
    return await use({
      relay,
      browser,
      chromiumVersion: browser.version(),
      peerServerPort,
      enginePage: () => openPage(browser, `${relay.origin}/`),
      rawPage: () => openPage(browser, `${raw.origin}/`),
    });
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await withTimeout(Promise.resolve(cleanup()), 10_000, 'cleanup');
      } catch (err) {
        process.stderr.write(`bench: cleanup failed: ${String(err)}\n`);
      }
    }
  }
}
