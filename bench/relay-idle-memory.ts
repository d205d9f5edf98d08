/**
 * R3 (memory per authenticated idle socket) and P8 (relay start → /readyz),
 * TARGETS.md. Spawns the built relay (`dist/relay.mjs`; built first if
 * missing) and, in the same run, a bare `ws` server as the floor. RSS is read
 * from /proc for the server process only; the per-socket figure is the RSS
 * growth between a warm-up set of sockets and warm-up + N, divided by N, so
 * start-up and JIT costs are not counted.
 *
 * N is 5 000, the low end of TARGETS.md's 5 000–10 000: below it the fixed
 * costs that grow with the first logins (SQLite's page cache up to its 2 MiB,
 * V8 heap pages) are spread over too few sockets to say what one costs.
 *
 *   npx tsx bench/relay-idle-memory.ts            (N = 5000)
 *   PARLEY_BENCH_SOCKETS=10000 npx tsx bench/relay-idle-memory.ts
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { toB64 } from '../shared/crypto/encoding.ts';
import {
  certToWire,
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
  prekeyToWire,
} from '../shared/crypto/keys.ts';
import { challengeFromWire, signRelayChallenge } from '../shared/crypto/relay-auth.ts';
import { loadSodium } from '../shared/crypto/sodium.ts';
import { PROTOCOL_VERSION } from '../shared/protocol/version.ts';
import { type BenchResult, machineInfo, quick } from './lib/result.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOCKETS = Number(process.env.PARLEY_BENCH_SOCKETS ?? (quick ? 300 : 5_000));
const WARMUP_SOCKETS = 100;
const CONNECT_CONCURRENCY = 50;
const SETTLE_MS = 1_500;
const START_RUNS = quick ? 3 : 5;
const READY_POLL_MS = 2;

/**
 * Both servers run with this preload: SIGUSR2 runs a full GC, so RSS is read
 * after the garbage of connecting (JSON, signature checks) is collected and
 * the figure is what idle sockets retain, not a transient high-water mark.
 */
const GC_ON_SIGNAL = [
  '--expose-gc',
  '--import',
  "data:text/javascript,process.on('SIGUSR2',()=>{globalThis.gc();globalThis.gc();if(process.env.PARLEY_BENCH_MEMDEBUG)console.error(JSON.stringify(process.memoryUsage()))})",
];

const BARE_WS_SERVER = `
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ port: Number(process.argv[1]), host: '127.0.0.1', perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (m) => ws.send(m)));
wss.on('listening', () => console.log('ready'));
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject()));
    });
  });
}

async function rssAfterGc(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR2');
  await sleep(300);
  return rssBytes(pid);
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ensureBuilt(): void {
  if (existsSync(join(ROOT, 'dist/relay.mjs'))) return;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'signal/build.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('relay build failed');
}

async function spawnRelay(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...GC_ON_SIGNAL,
      'dist/relay.mjs',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
      '--max-connections',
      '200000',
      '--max-connections-per-ip',
      '200000',
      '--auth-rate',
      '100000000',
      '--ping-interval-ms',
      '600000',
    ],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return child;
}

async function waitReady(url: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await sleep(READY_POLL_MS);
  }
  throw new Error('relay did not become ready');
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** P8: spawn → first 200 from /readyz, median of several runs. */
async function startToReadyMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < START_RUNS; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-start-'));
    const port = await freePort();
    const t0 = performance.now();
    const child = await spawnRelay(port, dataDir);
    await waitReady(`http://127.0.0.1:${port}`);
    times.push(performance.now() - t0);
    await stop(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return median(times);
}

interface BenchDevice {
  username: string;
  ik: ReturnType<typeof identityFromSeed>;
  dk: ReturnType<typeof newDeviceKey>;
}

function newBenchDevice(i: number): BenchDevice {
  return { username: `bench_${i}`, ik: identityFromSeed(newIdentitySeed()), dk: newDeviceKey() };
}

/**
 * Opens one socket and authenticates it: registers the device the first time
 * (`register`), logs in after. Resolves when the relay says authed.
 */
function authedSocket(
  wsUrl: string,
  origin: string,
  device: BenchDevice,
  register: boolean,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION })));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as {
        t: string;
        challenge?: { nonce: string; ts: number };
      };
      if (msg.t === 'hello' && msg.challenge) {
        const cert = makeDeviceCert(device.ik, device.dk.publicKey, 1);
        const sig = toB64(signRelayChallenge(origin, challengeFromWire(msg.challenge), device.dk));
        const auth = { cert: certToWire(cert), challenge: msg.challenge, sig };
        ws.send(
          JSON.stringify(
            register
              ? {
                  t: 'register',
                  username: device.username,
                  spk: prekeyToWire(makeSignedPrekey(device.dk, 1, 1)),
                  ...auth,
                }
              : { t: 'login', ...auth },
          ),
        );
      } else if (msg.t === 'authed') {
        ws.removeAllListeners('message');
        resolve(ws);
      } else if (msg.t === 'error') {
        reject(new Error(`relay refused: ${String(data)}`));
      }
    });
  });
}

/**
 * A bare socket that exchanges about what a login exchanges (hello, a ~1.5 KB
 * auth message, replies), so both servers have had their receive paths
 * exercised and the difference is the relay's own per-socket state.
 */
function plainSocket(wsUrl: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    ws.on('error', reject);
    let echoes = 0;
    ws.on('open', () => {
      ws.send('x'.repeat(40));
      ws.send('y'.repeat(1_500));
    });
    ws.on('message', () => {
      echoes += 1;
      if (echoes === 2) {
        ws.removeAllListeners('message');
        resolve(ws);
      }
    });
  });
}

async function openMany(n: number, open: (i: number) => Promise<WebSocket>): Promise<WebSocket[]> {
  const out: WebSocket[] = [];
  for (let i = 0; i < n; i += CONNECT_CONCURRENCY) {
    const batch = Math.min(CONNECT_CONCURRENCY, n - i);
    out.push(...(await Promise.all(Array.from({ length: batch }, (_, j) => open(i + j)))));
  }
  return out;
}

/** RSS growth per socket between WARMUP and WARMUP + SOCKETS open sockets. */
async function bytesPerSocket(
  pid: number,
  open: (i: number) => Promise<WebSocket>,
): Promise<number> {
  const warm = await openMany(WARMUP_SOCKETS, open);
  await sleep(SETTLE_MS);
  const before = await rssAfterGc(pid);
  const more = await openMany(SOCKETS, (i) => open(WARMUP_SOCKETS + i));
  await sleep(SETTLE_MS);
  const after = await rssAfterGc(pid);
  for (const ws of [...warm, ...more]) ws.terminate();
  return (after - before) / SOCKETS;
}

export default async function relayIdleMemory(): Promise<BenchResult[]> {
  await loadSodium();
  ensureBuilt();
  const startMs = await startToReadyMs();

  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-mem-'));
  const port = await freePort();
  const relay = await spawnRelay(port, dataDir);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url);
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  // Register everyone first and restart, so the measured sockets only log in:
  // the figure is what an idle authenticated socket costs, not what a
  // registration (SQLite pages, garbage) left behind.
  const devices = Array.from({ length: WARMUP_SOCKETS + SOCKETS }, (_, i) => newBenchDevice(i));
  const registered = await openMany(devices.length, (i) =>
    authedSocket(wsUrl, url, devices[i]!, true),
  );
  for (const ws of registered) ws.terminate();
  await stop(relay);
  const relay2 = await spawnRelay(port, dataDir);
  await waitReady(url);
  const relayPerSocket = await bytesPerSocket(relay2.pid!, (i) =>
    authedSocket(wsUrl, url, devices[i]!, false),
  );
  await stop(relay2);
  rmSync(dataDir, { recursive: true, force: true });

  const barePort = await freePort();
  const bare = spawn(process.execPath, [...GC_ON_SIGNAL, '-e', BARE_WS_SERVER, String(barePort)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((r) => bare.stdout!.once('data', r));
  const barePerSocket = await bytesPerSocket(bare.pid!, () =>
    plainSocket(`ws://127.0.0.1:${barePort}`),
  );
  await stop(bare);

  const machine = machineInfo();
  const relayKB = relayPerSocket / 1024;
  return [
    {
      id: 'R3',
      bench: 'relay-idle-memory',
      env: 'node',
      figure: Math.round(relayKB * 10) / 10,
      unit: 'KB/socket',
      peers: { bareWs: Math.round((barePerSocket / 1024) * 10) / 10 },
      ratio: Math.round((relayPerSocket / barePerSocket) * 100) / 100,
      figures: {
        sockets: SOCKETS,
        relayKBPerAuthedSocket: Math.round(relayKB * 10) / 10,
        bareWsKBPerSocket: Math.round((barePerSocket / 1024) * 10) / 10,
        ratioToBare: Math.round((relayPerSocket / barePerSocket) * 100) / 100,
      },
      target: { relayKBPerAuthedSocket: 12, ratioToBare: 1.5 },
      meetsTarget: relayKB <= 12 && relayPerSocket / barePerSocket <= 1.5,
      machine,
    },
    {
      id: 'P8',
      bench: 'relay-idle-memory',
      env: 'node',
      figure: Math.round(startMs),
      unit: 'ms',
      figures: { startToReadyMsMedian: Math.round(startMs) },
      target: { startToReadyMsMedian: 300 },
      meetsTarget: startMs <= 300,
      machine,
    },
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await relayIdleMemory()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
