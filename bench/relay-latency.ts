/**
 * TARGETS.md R2, relay latency under load: 2 000 authenticated sockets in
 * rooms of 10, every socket sends one 200 B room message per second (2 000
 * messages/s in, 18 000 deliveries/s out); every delivery's send → receive
 * time is recorded (sender and receivers share a load process, so one
 * clock). The bare `ws` relay runs the same load in the same run. Scaling:
 * the same 2 000 sockets in rooms of 2, 8 and 32 (1 000 to 62 000
 * deliveries/s), shorter windows.
 *
 *   npx tsx bench/relay-latency.ts [--quick]      (or: npx tsx bench/run.ts relay-latency)
 */
import { fileURLToPath } from 'node:url';
import { loadSodium } from '../shared/crypto/sodium.ts';
import type { ServerSpec } from './lib/relay-clients.ts';
import {
  LoadPool,
  loadContext,
  median,
  quantile,
  quickMode,
  round,
  runTag,
  split,
} from './lib/relay-load.ts';
import { type BenchResult, machineInfo, ratioOf } from './lib/result.ts';
import { cpuTimeMs, type ServerKind, startServer } from './peers/servers.ts';

const R2_ROOM_SIZE = 10;
const SCALING_ROOM_SIZES = [2, 8, 32];
const PAYLOAD_BYTES = 200;
const RATE_PER_SOCKET = 1;
const LOAD_WORKERS = Number(process.env.PARLEY_BENCH_WORKERS ?? 2);
const FULL = {
  sockets: 2_000,
  warmupMs: 2_000,
  measureMs: 4_000,
  rounds: 3,
  scalingMeasureMs: 4_000,
};
const QUICK = { sockets: 500, warmupMs: 1_000, measureMs: 2_000, rounds: 1, scalingMeasureMs: 0 };
/** Warm-up before the second and later windows (the timers restart). */
const REWARM_MS = 500;
const SETUP_TIMEOUT_MS = 90_000;
const P99_TARGET_MS = 10;

interface PacedResult {
  latenciesMs: number[];
  delivered: number;
  errors: Record<string, number>;
}

interface Latency {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  /** The worst window's p99 (a stall of the shared box lands in one window). */
  worstWindowP99: number;
  deliveries: number;
  serverCpuPct: number;
  errors: Record<string, number>;
}

function summarise(parts: PacedResult[]) {
  const all = Float64Array.from(parts.flatMap((p) => p.latenciesMs)).sort();
  const errors: Record<string, number> = {};
  for (const p of parts) {
    for (const [code, n] of Object.entries(p.errors)) errors[code] = (errors[code] ?? 0) + n;
  }
  return {
    p50: round(quantile(all, 0.5)),
    p99: round(quantile(all, 0.99)),
    p999: round(quantile(all, 0.999)),
    max: round(all[all.length - 1] ?? Number.NaN),
    deliveries: all.length,
    errors,
  };
}

/**
 * Sets up `sockets` in rooms of `roomSize` once, then measures `rounds`
 * windows; the figures are the medians over windows.
 */
async function measure(
  pool: LoadPool,
  kind: ServerKind,
  roomSize: number,
  sockets: number,
  warmupMs: number,
  measureMs: number,
  rounds: number,
): Promise<Latency> {
  const server = await startServer(kind);
  try {
    const spec: ServerSpec = { kind, wsUrl: server.wsUrl, origin: server.origin };
    const perWorker = split(Math.ceil(sockets / roomSize), pool.workers.length);
    const tag = runTag();
    const setupStart = performance.now();
    await pool.all(
      (i) => ({ op: 'setup', server: spec, tag: `${tag}w${i}`, rooms: perWorker[i]!, roomSize }),
      SETUP_TIMEOUT_MS,
    );
    process.stderr.write(
      `relay-latency: ${kind} room ${roomSize}: ${sockets} sockets set up in ${Math.round(performance.now() - setupStart)} ms\n`,
    );
    const cpu0 = cpuTimeMs(server.pid);
    const t0 = performance.now();
    const windows: ReturnType<typeof summarise>[] = [];
    for (let r = 0; r < rounds; r++) {
      const parts = await pool.all<PacedResult>(
        {
          op: 'paced',
          ratePerSec: RATE_PER_SOCKET,
          durationMs: measureMs,
          warmupMs: r === 0 ? warmupMs : REWARM_MS,
          payloadBytes: PAYLOAD_BYTES,
        },
        warmupMs + measureMs + 30_000,
      );
      windows.push(summarise(parts));
    }
    const cpuPct = ((cpuTimeMs(server.pid) - cpu0) / (performance.now() - t0)) * 100;
    const errors: Record<string, number> = {};
    for (const w of windows) {
      for (const [code, n] of Object.entries(w.errors)) errors[code] = (errors[code] ?? 0) + n;
    }
    const result: Latency = {
      p50: median(windows.map((w) => w.p50)),
      p99: median(windows.map((w) => w.p99)),
      p999: median(windows.map((w) => w.p999)),
      max: Math.max(...windows.map((w) => w.max)),
      worstWindowP99: Math.max(...windows.map((w) => w.p99)),
      deliveries: windows.reduce((n, w) => n + w.deliveries, 0),
      serverCpuPct: Math.round(cpuPct),
      errors,
    };
    process.stderr.write(
      `relay-latency: ${kind} room ${roomSize}: p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.deliveries} deliveries, server cpu ${result.serverCpuPct} %\n`,
    );
    return result;
  } finally {
    await pool.all({ op: 'close' }, 30_000).catch(() => {});
    await server.stop();
  }
}

export default async function relayLatency(): Promise<BenchResult[]> {
  await loadSodium();
  const quick = quickMode();
  const cfg = quick ? QUICK : FULL;
  const context = await loadContext();
  const pool = await LoadPool.start(LOAD_WORKERS);
  try {
    const r2 = (kind: ServerKind) =>
      measure(pool, kind, R2_ROOM_SIZE, cfg.sockets, cfg.warmupMs, cfg.measureMs, cfg.rounds);
    const parley = await r2('parley');
    const bare = await r2('bare');
    const machine = machineInfo();
    const notes =
      `${context}; the relay and ${LOAD_WORKERS} load-generator processes share the cores, and ` +
      `the latency includes the load process's own event loop (receiving ~${(cfg.sockets * (R2_ROOM_SIZE - 1) * RATE_PER_SOCKET) / 1000}k ` +
      `deliveries/s while sending). ${cfg.sockets} sockets, rooms of ${R2_ROOM_SIZE}, ` +
      `${RATE_PER_SOCKET} msg/s each with random phases, ${PAYLOAD_BYTES} B; median over ` +
      `${cfg.rounds} windows of ${cfg.measureMs} ms after ${cfg.warmupMs} ms warm-up.`;
    const results: BenchResult[] = [
      {
        id: 'R2',
        bench: 'relay-latency',
        env: 'node',
        figure: parley.p99,
        unit: 'ms p99',
        peers: { bareWs: bare.p99 },
        ratio: ratioOf(parley.p99, bare.p99),
        figures: {
          sockets: cfg.sockets,
          roomSize: R2_ROOM_SIZE,
          parleyP50Ms: parley.p50,
          parleyP99Ms: parley.p99,
          parleyP999Ms: parley.p999,
          parleyMaxMs: parley.max,
          parleyWorstWindowP99Ms: parley.worstWindowP99,
          bareWsP50Ms: bare.p50,
          bareWsP99Ms: bare.p99,
          bareWsP999Ms: bare.p999,
          bareWsWorstWindowP99Ms: bare.worstWindowP99,
          deliveries: parley.deliveries,
          parleyCpuPct: parley.serverCpuPct,
          bareCpuPct: bare.serverCpuPct,
          parleyEnvelopeErrors: Object.values(parley.errors).reduce((a, b) => a + b, 0),
        },
        target: { parleyP99Ms: P99_TARGET_MS },
        meetsTarget: parley.p99 <= P99_TARGET_MS,
        notes,
        machine,
      },
    ];
    if (cfg.scalingMeasureMs > 0) {
      const figures: Record<string, number | null> = {
        parleyP50Ms_room10: parley.p50,
        parleyP99Ms_room10: parley.p99,
      };
      for (const size of SCALING_ROOM_SIZES) {
        const scaled = (kind: ServerKind) =>
          measure(pool, kind, size, cfg.sockets, cfg.warmupMs, cfg.scalingMeasureMs, 1);
        const p = await scaled('parley');
        const b = await scaled('bare');
        figures[`parleyP50Ms_room${size}`] = p.p50;
        figures[`parleyP99Ms_room${size}`] = p.p99;
        figures[`bareWsP50Ms_room${size}`] = b.p50;
        figures[`bareWsP99Ms_room${size}`] = b.p99;
        figures[`deliveriesPerSec_room${size}`] = Math.round(
          cfg.sockets * (size - 1) * RATE_PER_SOCKET,
        );
      }
      results.push({
        id: 'R2',
        bench: 'relay-latency/scaling',
        env: 'node',
        figures,
        target: { parleyP99Ms: P99_TARGET_MS },
        notes: `same ${cfg.sockets} sockets at 1 msg/s in rooms of 2, 8, 10, 32 (offered deliveries grow with the room); ${cfg.scalingMeasureMs} ms windows except room 10. ${notes}`,
        machine,
      });
    }
    return results;
  } finally {
    pool.kill();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await relayLatency()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
