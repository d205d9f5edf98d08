/**
 * Starts each relay a relay benchmark compares, every one on 127.0.0.1 in its
 * own process, so its CPU and RSS are its own: the Parley relay (bundled
 * fresh from signal/ into a private file, so a benchmark measures the source
 * as it is without touching dist/), the bare `ws` relay (bare-ws-relay.ts),
 * peerjs-server (`peer`) and the y-webrtc signalling server.
 *
 * Every server is killed when the benchmark exits, however it exits: stop()
 * on the normal path, an exit hook for thrown errors, and preload.mjs makes
 * the server exit on its own when its stdin (a pipe from us) closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export type ServerKind = 'parley' | 'bare' | 'bare-cork' | 'peerjs' | 'ywebrtc';

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  port: number;
  /** ws://127.0.0.1:port (Parley: …/ws). */
  wsUrl: string;
  /** The origin Parley clients sign at login (http://127.0.0.1:port). */
  origin: string;
  /** Resident set of the server process, from /proc. */
  rssBytes(): number;
  /** SIGTERM, then SIGKILL after a grace period; resolves once it exited. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** Extra relay flags (Parley only). */
  relayArgs?: string[];
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./preload.mjs', import.meta.url));
const BARE_RELAY = fileURLToPath(new URL('./bare-ws-relay.ts', import.meta.url));
/** Inside node_modules so the bundle resolves better-sqlite3 (kept external). */
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'parley-bench');
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const READY_POLL_MS = 20;
/** USER_HZ: /proc/<pid>/stat counts CPU time in these (100 on Linux). */
const CLOCK_TICKS_PER_SEC = 100;

/**
 * Limits a benchmark must lift to measure throughput rather than the abuse
 * limits; everything else (auth, validation, rate limiting, routing) stays on.
 */
const PARLEY_BENCH_FLAGS = [
  '--log-level',
  'warn',
  '--max-connections',
  '200000',
  '--max-connections-per-ip',
  '200000',
  '--auth-rate',
  '100000000',
  '--frame-rate',
  '10000000',
  '--frame-burst',
  '10000000',
];

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/** Registers a child so it is killed if the benchmark process exits first. */
export function track(child: ChildProcess): void {
  installExitHook();
  children.add(child);
  child.once('exit', () => children.delete(child));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject()));
    });
  });
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let bundlePromise: Promise<string> | null = null;

/** The relay bundled as signal/build.ts bundles it, into a private file. */
export function parleyBundle(): Promise<string> {
  bundlePromise ??= (async () => {
    mkdirSync(BUNDLE_DIR, { recursive: true });
    const outfile = join(BUNDLE_DIR, 'relay.mjs');
    await build({
      entryPoints: [join(ROOT, 'signal/main.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['better-sqlite3'],
      banner: {
        js: "import { createRequire as __parleyRequire } from 'node:module'; const require = __parleyRequire(import.meta.url);",
      },
      sourcemap: true,
      logLevel: 'warning',
    });
    return outfile;
  })();
  return bundlePromise;
}

function spawnServer(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  track(child);
  return child;
}

/** Resolves when `ready` returns true for the output so far; rejects on exit or timeout. */
function waitOutput(child: ChildProcess, ready: (out: string) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`server not ready in ${READY_TIMEOUT_MS} ms:\n${out.slice(-2000)}`));
    }, READY_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready(out)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`server exited (${code}) before ready:\n${out.slice(-2000)}`));
    };
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function waitHttpOk(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let out = '';
  child.stderr?.on('data', (d: Buffer) => {
    out = (out + d.toString()).slice(-4000);
  });
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`relay exited (${child.exitCode}):\n${out}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) })
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error(`relay not ready in ${READY_TIMEOUT_MS} ms:\n${out}`);
}

/** Resolves once something accepts TCP connections on the port. */
async function waitPort(child: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error(`nothing listening on ${port} after ${READY_TIMEOUT_MS} ms`);
}

function stopper(child: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    cleanup?.();
  };
}

function running(
  kind: ServerKind,
  child: ChildProcess,
  port: number,
  wsPath: string,
  cleanup?: () => void,
): RunningServer {
  // Keep draining the server's output (peerjs logs every connection) so a
  // full pipe never blocks it.
  child.stdout?.resume();
  child.stderr?.on('data', (d: Buffer) => {
    if (process.env.PARLEY_BENCH_VERBOSE) process.stderr.write(`[${kind}] ${d}`);
  });
  return {
    kind,
    pid: child.pid!,
    port,
    wsUrl: `ws://127.0.0.1:${port}${wsPath}`,
    origin: `http://127.0.0.1:${port}`,
    rssBytes: () => rssOf(child.pid!),
    stop: stopper(child, cleanup),
  };
}

export async function startServer(
  kind: ServerKind,
  opts: ServerOptions = {},
): Promise<RunningServer> {
  const port = await freePort();
  const nodeArgs = opts.nodeArgs ?? [];
  switch (kind) {
    case 'parley': {
      // PARLEY_BENCH_RELAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the
      // relay under whatever load the benchmark puts on it (written when it exits).
      const relayNodeArgs = (process.env.PARLEY_BENCH_RELAY_NODE_ARGS ?? '')
        .split(' ')
        .filter(Boolean);
      const bundle = await parleyBundle();
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-relay-'));
      const child = spawnServer(
        [
          ...nodeArgs,
          ...relayNodeArgs,
          bundle,
          '--port',
          String(port),
          '--data-dir',
          dataDir,
          ...PARLEY_BENCH_FLAGS,
          ...(opts.relayArgs ?? []),
        ],
        opts.env,
      );
      try {
        await waitHttpOk(child, `http://127.0.0.1:${port}/readyz`);
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
      return running(kind, child, port, '/ws', () =>
        rmSync(dataDir, { recursive: true, force: true }),
      );
    }
    case 'bare':
    case 'bare-cork': {
      const child = spawnServer([
        ...nodeArgs,
        '--import',
        'tsx',
        BARE_RELAY,
        String(port),
        ...(kind === 'bare-cork' ? ['--cork'] : []),
      ]);
      await waitOutput(child, (out) => out.includes('ready'));
      return running(kind, child, port, '');
    }
    case 'peerjs': {
      const bin = join(ROOT, 'node_modules/peer/dist/bin/peerjs.js');
      const child = spawnServer([
        ...nodeArgs,
        bin,
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--concurrent_limit',
        '1000000',
        '--alive_timeout',
        '600000',
      ]);
      await waitOutput(child, (out) => out.includes('Started PeerServer'));
      return running(kind, child, port, '/peerjs');
    }
    case 'ywebrtc': {
      const bin = join(ROOT, 'node_modules/y-webrtc/bin/server.js');
      const child = spawnServer([...nodeArgs, bin], {
        PORT: String(port),
        BENCH_LOOPBACK_ONLY: '1',
      });
      // It prints this before listen() has bound the port.
      await waitOutput(child, (out) => out.includes('Signaling server running'));
      await waitPort(child, port);
      return running(kind, child, port, '');
    }
  }
}

/** CPU time (user + system) the process has used so far, in ms, from /proc. */
export function cpuTimeMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SEC;
}
