/**
 * TARGETS.md R1, relay fan-out in deliveries per second: one sender per room
 * blasts 200 B room messages, receivers count what arrives. The Parley relay
 * runs with auth (every socket is a registered user), validation (envelope
 * header, membership) and routing on; only its abuse limits are lifted. In
 * the same run: the bare `ws` relay (the floor), peerjs-server and the
 * y-webrtc signalling server, each in its own process on loopback.
 * Scaling: the Parley and bare relays again at room sizes 2, 8 and 32.
 *
 * Each sender keeps WINDOW messages in flight (counted by its receivers,
 * which live in the same load process), so a relay is never asked to buffer
 * more than it can forward and the figure is its forwarding rate, not its
 * drop rate.
 *
 *   npx tsx bench/relay-fanout.ts [--quick]      (or: npx tsx bench/run.ts relay-fanout)
 */
import { fileURLToPath } from 'node:url';
import { loadSodium } from '../shared/crypto/sodium.ts';
import type { ServerSpec } from './lib/relay-clients.ts';
import {
  type Counts,
  LoadPool,
  loadContext,
  median,
  quickMode,
  round,
  runTag,
  sleep,
  split,
} from './lib/relay-load.ts';
import { type BenchResult, machineInfo, ratioOf } from './lib/result.ts';
import { cpuTimeMs, type ServerKind, startServer } from './peers/servers.ts';

const R1_ROOM_SIZE = 10;
const SCALING_ROOM_SIZES = [2, 8, 32];
/** About this many sockets per run, whatever the room size. */
const SOCKETS = 200;
const PAYLOAD_BYTES = 200;
/** Room messages in flight per sender. */
const WINDOW = 32;
const LOAD_WORKERS = Number(process.env.PARLEY_BENCH_WORKERS ?? 2);
const FULL = { rounds: 3, warmupMs: 1_000, measureMs: 2_500 };
const QUICK = { rounds: 1, warmupMs: 500, measureMs: 1_500 };
const SETUP_TIMEOUT_MS = 60_000;
/** How long in-flight messages get to arrive after the senders stop. */
const DRAIN_MS = 3_000;
const PEERS: ServerKind[] = ['parley', 'bare', 'bare-cork', 'peerjs', 'ywebrtc'];

interface Measured {
  deliveriesPerSec: number;
  /** Share of one core the server used while measured (100 = one full core). */
  serverCpuPct: number;
  errors: Record<string, number>;
  /** Sent × fan-out minus counted deliveries once the senders stopped (should be 0). */
  undelivered: number;
}

async function measure(
  pool: LoadPool,
  kind: ServerKind,
  roomSize: number,
  timing: typeof FULL,
): Promise<Measured> {
  const server = await startServer(kind);
  try {
    const spec: ServerSpec = { kind, wsUrl: server.wsUrl, origin: server.origin };
    const rooms = Math.ceil(SOCKETS / roomSize);
    const tag = runTag();
    const perWorker = split(rooms, pool.workers.length);
    await pool.all(
      (i) => ({ op: 'setup', server: spec, tag: `${tag}w${i}`, rooms: perWorker[i]!, roomSize }),
      SETUP_TIMEOUT_MS,
    );
    await pool.all({ op: 'blast', window: WINDOW, payloadBytes: PAYLOAD_BYTES }, 10_000);
    await sleep(timing.warmupMs);
    const c0 = await pool.counts();
    const cpu0 = cpuTimeMs(server.pid);
    const t0 = performance.now();
    await sleep(timing.measureMs);
    const c1: Counts = await pool.counts();
    const elapsedMs = performance.now() - t0;
    const cpuMs = cpuTimeMs(server.pid) - cpu0;
    const stopped = await pool.all<{ undelivered: number }>(
      { op: 'stopBlast', drainMs: DRAIN_MS },
      DRAIN_MS + 10_000,
    );
    return {
      deliveriesPerSec: ((c1.delivered - c0.delivered) * 1000) / elapsedMs,
      serverCpuPct: (cpuMs / elapsedMs) * 100,
      errors: c1.errors,
      undelivered: stopped.reduce((n, s) => n + s.undelivered, 0),
    };
  } finally {
    await pool.all({ op: 'close' }, 30_000).catch(() => {});
    await server.stop();
  }
}

/** Runs every kind `rounds` times, interleaved, and keeps the median of each. */
async function compare(
  pool: LoadPool,
  kinds: ServerKind[],
  roomSize: number,
  timing: typeof FULL,
): Promise<Map<ServerKind, Summary>> {
  const runs = new Map<ServerKind, Measured[]>(kinds.map((k) => [k, []]));
  for (let r = 0; r < timing.rounds; r++) {
    for (const kind of kinds) {
      const m = await measure(pool, kind, roomSize, timing);
      process.stderr.write(
        `relay-fanout: room ${roomSize} ${kind} ${Math.round(m.deliveriesPerSec)} deliveries/s (server cpu ${Math.round(m.serverCpuPct)} %, undelivered ${m.undelivered})\n`,
      );
      runs.get(kind)!.push(m);
    }
  }
  const out = new Map<ServerKind, Summary>();
  for (const [kind, list] of runs) {
    out.set(kind, {
      deliveriesPerSec: median(list.map((m) => m.deliveriesPerSec)),
      deliveriesPerCpuSec: median(
        list.map((m) => (m.serverCpuPct > 0 ? (m.deliveriesPerSec * 100) / m.serverCpuPct : 0)),
      ),
      serverCpuPct: median(list.map((m) => m.serverCpuPct)),
      errors: list.flatMap((m) => Object.values(m.errors)).reduce((a, b) => a + b, 0),
      undelivered: list.reduce((n, m) => n + m.undelivered, 0),
      rounds: list.map((m) => m.deliveriesPerSec),
    });
  }
  return out;
}

/** Medians over rounds; `rounds` keeps each round's rate for paired ratios. */
interface Summary {
  deliveriesPerSec: number;
  /**
   * Deliveries per second of the server's own CPU time: how many one core
   * would forward. On a shared box a starved server delivers less per
   * wall-clock second but not per CPU second, so this is the steadier figure.
   */
  deliveriesPerCpuSec: number;
  serverCpuPct: number;
  errors: number;
  undelivered: number;
  rounds: number[];
}

const perSec = (m: Summary | undefined) => (m ? Math.round(m.deliveriesPerSec) : null);
const perCpuSec = (m: Summary | undefined) => (m ? Math.round(m.deliveriesPerCpuSec) : null);
/**
 * Median of per-round ratios: rounds are interleaved, so each pair ran under
 * the same neighbours on the shared box; a ratio of medians would not be.
 */
const ratio = (a: Summary | undefined, b: Summary | undefined) => {
  if (!a || !b) return null;
  const pairs = a.rounds.flatMap((rate, i) => {
    const other = b.rounds[i];
    return other ? [rate / other] : [];
  });
  return pairs.length > 0 ? round(median(pairs)) : null;
};

export default async function relayFanout(): Promise<BenchResult[]> {
  await loadSodium();
  const quick = quickMode();
  const timing = quick ? QUICK : FULL;
  const context = await loadContext();
  const pool = await LoadPool.start(LOAD_WORKERS);
  try {
    const r1 = await compare(pool, PEERS, R1_ROOM_SIZE, timing);
    const scaling = new Map<number, Map<ServerKind, Summary>>();
    for (const size of quick ? [] : SCALING_ROOM_SIZES) {
      scaling.set(
        size,
        await compare(pool, ['parley', 'bare', 'bare-cork'], size, { ...timing, rounds: 1 }),
      );
    }
    const parley = r1.get('parley');
    const toBare = ratio(parley, r1.get('bare'));
    const aheadOfPeers =
      (ratio(parley, r1.get('peerjs')) ?? 0) > 1 && (ratio(parley, r1.get('ywebrtc')) ?? 0) > 1;
    const notes =
      `${context}; the relay under test and ${LOAD_WORKERS} load-generator processes share the ` +
      `cores, so client cost competes with the relay (serverCpuPct shows how much of a core ` +
      `each server got). ${SOCKETS} sockets, one sender per room, ${WINDOW} messages in flight ` +
      `per sender, ${PAYLOAD_BYTES} B payloads; medians of ${timing.rounds} interleaved ` +
      `${timing.measureMs} ms windows, ratios are medians of per-round ratios. peerjs-server has no rooms: a room message is one ` +
      `frame per other member. y-webrtc also echoes each message to its sender (not counted). ` +
      `bareWs is the naive ~30-line relay TARGETS.md anchors on (one writev per frame); ` +
      `bareWsCorked is the same relay with the Parley relay's write batching (one writev per ` +
      `socket per tick), the floor for a relay that batches.`;
    const results: BenchResult[] = [];
    const machine = machineInfo();
    results.push({
      id: 'R1',
      bench: 'relay-fanout',
      env: 'node',
      figure: perSec(parley),
      unit: 'deliveries/s',
      peers: {
        bareWs: perSec(r1.get('bare')),
        bareWsCorked: perSec(r1.get('bare-cork')),
        peerjs: perSec(r1.get('peerjs')),
        ywebrtc: perSec(r1.get('ywebrtc')),
      },
      ratio: toBare,
      figures: {
        roomSize: R1_ROOM_SIZE,
        parleyDeliveriesPerSec: perSec(parley),
        bareWsDeliveriesPerSec: perSec(r1.get('bare')),
        bareWsCorkedDeliveriesPerSec: perSec(r1.get('bare-cork')),
        peerjsDeliveriesPerSec: perSec(r1.get('peerjs')),
        ywebrtcDeliveriesPerSec: perSec(r1.get('ywebrtc')),
        ratioToBare: toBare,
        ratioToBareCorked: ratio(parley, r1.get('bare-cork')),
        ratioToPeerjs: ratio(parley, r1.get('peerjs')),
        ratioToYwebrtc: ratio(parley, r1.get('ywebrtc')),
        parleyDeliveriesPerCpuSec: perCpuSec(parley),
        bareWsDeliveriesPerCpuSec: perCpuSec(r1.get('bare')),
        bareWsCorkedDeliveriesPerCpuSec: perCpuSec(r1.get('bare-cork')),
        peerjsDeliveriesPerCpuSec: perCpuSec(r1.get('peerjs')),
        ywebrtcDeliveriesPerCpuSec: perCpuSec(r1.get('ywebrtc')),
        ratioToBarePerCpuSec: ratioOf(perCpuSec(parley), perCpuSec(r1.get('bare'))),
        ratioToBareCorkedPerCpuSec: ratioOf(perCpuSec(parley), perCpuSec(r1.get('bare-cork'))),
        parleyCpuPct: parley ? Math.round(parley.serverCpuPct) : null,
        bareCpuPct: r1.get('bare') ? Math.round(r1.get('bare')!.serverCpuPct) : null,
        peerjsCpuPct: r1.get('peerjs') ? Math.round(r1.get('peerjs')!.serverCpuPct) : null,
        ywebrtcCpuPct: r1.get('ywebrtc') ? Math.round(r1.get('ywebrtc')!.serverCpuPct) : null,
        parleyEnvelopeErrors: parley?.errors ?? null,
        parleyUndelivered: parley?.undelivered ?? null,
      },
      target: { ratioToBare: 0.5 },
      meetsTarget: toBare !== null && toBare >= 0.5 && aheadOfPeers,
      notes,
      machine,
    });
    if (scaling.size > 0) {
      const figures: Record<string, number | null> = {};
      for (const [size, m] of scaling) {
        figures[`parleyDeliveriesPerSec_room${size}`] = perSec(m.get('parley'));
        figures[`bareWsDeliveriesPerSec_room${size}`] = perSec(m.get('bare'));
        figures[`ratioToBare_room${size}`] = ratio(m.get('parley'), m.get('bare'));
        figures[`parleyDeliveriesPerCpuSec_room${size}`] = perCpuSec(m.get('parley'));
        figures[`bareWsDeliveriesPerCpuSec_room${size}`] = perCpuSec(m.get('bare'));
        figures[`bareWsCorkedDeliveriesPerSec_room${size}`] = perSec(m.get('bare-cork'));
        figures[`ratioToBareCorked_room${size}`] = ratio(m.get('parley'), m.get('bare-cork'));
      }
      figures.parleyDeliveriesPerSec_room10 = perSec(parley);
      figures.ratioToBare_room10 = toBare;
      figures.parleyDeliveriesPerCpuSec_room10 = perCpuSec(parley);
      results.push({
        id: 'R1',
        bench: 'relay-fanout/scaling',
        env: 'node',
        figures,
        target: { ratioToBare: 0.5 },
        meetsTarget: [...scaling.values()].every(
          (m) => (ratio(m.get('parley'), m.get('bare')) ?? 0) >= 0.5,
        ),
        notes: `room sizes 2, 8, 10, 32; one round each except 10. ${notes}`,
        machine,
      });
    }
    return results;
  } finally {
    pool.kill();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await relayFanout()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
