/**
 * TARGETS.md R5, file bytes through the relay fallback: 256 MiB in 64 KiB
 * binary envelopes, sender → relay → receiver (a `toDevice` envelope between
 * two registered devices in a room of two), with the relay's RSS sampled
 * throughout to show its memory stays bounded. The bare `ws` relay moves the
 * same bytes in the same run.
 *
 * The sender keeps WINDOW_BYTES unacknowledged: its receiver lives in the
 * same load process and its count stands in for an ack stream (what the app
 * does with a few bytes of acks through the same relay). Both relays see
 * identical traffic, so the ratio is the relay's own cost.
 *
 *   npx tsx bench/relay-file.ts [--quick]      (or: npx tsx bench/run.ts relay-file)
 */
import { fileURLToPath } from 'node:url';
import { loadSodium } from '../shared/crypto/sodium.ts';
import type { ServerSpec } from './lib/relay-clients.ts';
import { LoadPool, loadContext, median, quickMode, round, runTag } from './lib/relay-load.ts';
import { type BenchResult, machineInfo, ratioOf } from './lib/result.ts';
import { cpuTimeMs, type ServerKind, startServer } from './peers/servers.ts';

const MIB = 1024 * 1024;
const FRAME_BYTES = 64 * 1024;
/** Unacknowledged bytes in flight: below the relay's 4 MiB per-recipient drop bound. */
const WINDOW_BYTES = 2 * MIB;
const FULL = { totalBytes: 256 * MIB, rounds: 3 };
const QUICK = { totalBytes: 32 * MIB, rounds: 1 };
const RSS_SAMPLE_MS = 50;
const TRANSFER_TIMEOUT_MS = 60_000;
const TARGET_MIB_PER_SEC = 50;
/**
 * "Bounded": the relay's RSS may grow by its own buffers (a few MiB per
 * socket, see --max-buffered-bytes) and heap slack, never by anything near
 * the bytes it moved.
 */
const MAX_RSS_GROWTH_MIB = 64;

interface Transfer {
  mibPerSec: number;
  rssBeforeMiB: number;
  rssMaxMiB: number;
  serverCpuPct: number;
  outOfOrder: number;
}

async function transfer(pool: LoadPool, kind: ServerKind, totalBytes: number): Promise<Transfer> {
  const server = await startServer(kind);
  let sampler: ReturnType<typeof setInterval> | undefined;
  try {
    const spec: ServerSpec = { kind, wsUrl: server.wsUrl, origin: server.origin };
    await pool.all({ op: 'setup', server: spec, tag: runTag(), rooms: 1, roomSize: 2 }, 30_000);
    const rssBefore = server.rssBytes();
    let rssMax = rssBefore;
    sampler = setInterval(() => {
      rssMax = Math.max(rssMax, server.rssBytes());
    }, RSS_SAMPLE_MS);
    const cpu0 = cpuTimeMs(server.pid);
    const [got] = await pool.all<{ ms: number; bytes: number; outOfOrder: number }>(
      {
        op: 'file',
        totalBytes,
        frameBytes: FRAME_BYTES,
        windowBytes: WINDOW_BYTES,
        timeoutMs: TRANSFER_TIMEOUT_MS,
      },
      TRANSFER_TIMEOUT_MS + 5_000,
    );
    rssMax = Math.max(rssMax, server.rssBytes());
    const result: Transfer = {
      mibPerSec: got!.bytes / MIB / (got!.ms / 1000),
      rssBeforeMiB: rssBefore / MIB,
      rssMaxMiB: rssMax / MIB,
      serverCpuPct: ((cpuTimeMs(server.pid) - cpu0) / got!.ms) * 100,
      outOfOrder: got!.outOfOrder,
    };
    process.stderr.write(
      `relay-file: ${kind} ${round(result.mibPerSec, 1)} MiB/s, RSS ${Math.round(result.rssBeforeMiB)} → max ${Math.round(result.rssMaxMiB)} MiB, server cpu ${Math.round(result.serverCpuPct)} %\n`,
    );
    return result;
  } finally {
    clearInterval(sampler);
    await pool.all({ op: 'close' }, 30_000).catch(() => {});
    await server.stop();
  }
}

function medianOf(list: Transfer[]): Transfer {
  const rate = median(list.map((t) => t.mibPerSec));
  const chosen = list.find((t) => t.mibPerSec === rate) ?? list[0]!;
  return { ...chosen, rssMaxMiB: Math.max(...list.map((t) => t.rssMaxMiB)) };
}

export default async function relayFile(): Promise<BenchResult[]> {
  await loadSodium();
  const cfg = quickMode() ? QUICK : FULL;
  const context = await loadContext();
  const pool = await LoadPool.start(1);
  try {
    const runs = { parley: [] as Transfer[], bare: [] as Transfer[] };
    for (let r = 0; r < cfg.rounds; r++) {
      runs.parley.push(await transfer(pool, 'parley', cfg.totalBytes));
      runs.bare.push(await transfer(pool, 'bare', cfg.totalBytes));
    }
    const parley = medianOf(runs.parley);
    const bare = medianOf(runs.bare);
    const growth = parley.rssMaxMiB - parley.rssBeforeMiB;
    return [
      {
        id: 'R5',
        bench: 'relay-file',
        env: 'node',
        figure: round(parley.mibPerSec, 1),
        unit: 'MiB/s',
        peers: { bareRelay: round(bare.mibPerSec, 1) },
        ratio: ratioOf(parley.mibPerSec, bare.mibPerSec),
        figures: {
          totalMiB: cfg.totalBytes / MIB,
          frameKiB: FRAME_BYTES / 1024,
          windowMiB: WINDOW_BYTES / MIB,
          parleyMiBPerSec: round(parley.mibPerSec, 1),
          bareRelayMiBPerSec: round(bare.mibPerSec, 1),
          parleyRssBeforeMiB: round(parley.rssBeforeMiB, 1),
          parleyRssMaxMiB: round(parley.rssMaxMiB, 1),
          parleyRssGrowthMiB: round(growth, 1),
          bareRssGrowthMiB: round(bare.rssMaxMiB - bare.rssBeforeMiB, 1),
          // MiB per second of the relay's own CPU: what one core could move; steadier
          // than MiB/s when the load process is the bottleneck (a shared 2-core box).
          parleyMiBPerCpuSec: round(parley.mibPerSec / (parley.serverCpuPct / 100), 1),
          bareRelayMiBPerCpuSec: round(bare.mibPerSec / (bare.serverCpuPct / 100), 1),
          parleyCpuPct: Math.round(parley.serverCpuPct),
          bareCpuPct: Math.round(bare.serverCpuPct),
          framesOutOfOrder: runs.parley.reduce((n, t) => n + t.outOfOrder, 0),
        },
        target: { parleyMiBPerSec: TARGET_MIB_PER_SEC, parleyRssGrowthMiB: MAX_RSS_GROWTH_MIB },
        meetsTarget: parley.mibPerSec >= TARGET_MIB_PER_SEC && growth <= MAX_RSS_GROWTH_MIB,
        notes:
          `${context}; sender and receiver share one load process, the relay has its own, so ` +
          `both compete for the 2 cores. Median of ${cfg.rounds} transfers each (interleaved); ` +
          `RSS sampled every ${RSS_SAMPLE_MS} ms, max over all runs. ${WINDOW_BYTES / MIB} MiB ` +
          `window, receiver-counted. Client frames are masked with random keys as browsers ` +
          `do, so the relay pays unmasking; ws has no native bufferutil here, so the load ` +
          `process (masking, reassembling 64 KiB frames) is usually the bottleneck: see ` +
          `parleyCpuPct and parleyMiBPerCpuSec.`,
        machine: machineInfo(),
      },
    ];
  } finally {
    pool.kill();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await relayFile()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
