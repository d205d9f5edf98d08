/**
 * TARGETS.md R3's scaling dimension: does an idle authenticated socket cost
 * the relay more memory when its user sits in rooms of 2, 8 or 32? The
 * relay keeps per room a set of member ids (loaded on first use by presence
 * and fan-out), and per socket a reachability cache; both could grow with
 * the room. This measures RSS growth per socket after a forced GC for N
 * sockets that register and then create or join rooms of each size, against
 * the same N sockets in no room, each on a fresh relay.
 *
 * The method differs from bench/relay-idle-memory.ts (which logs sockets in
 * on a restarted relay, so registration leaves nothing behind): the figures
 * here include what registering leaves (SQLite pages), identical for every
 * room size, so read the differences between sizes, not the absolutes.
 *
 *   npx tsx bench/relay-room-memory.ts [--quick]   (or: npx tsx bench/run.ts relay-room-memory)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSodium } from '../shared/crypto/sodium.ts';
import type { ServerSpec } from './lib/relay-clients.ts';
import { LoadPool, loadContext, quickMode, round, runTag, sleep, split } from './lib/relay-load.ts';
import { type BenchResult, machineInfo } from './lib/result.ts';
import { startServer } from './peers/servers.ts';

const ROOM_SIZES = [2, 8, 32];
const WARMUP_SOCKETS = 200;
const SETTLE_MS = 1_500;
const GC_WAIT_MS = 300;
const LOAD_WORKERS = Number(process.env.PARLEY_BENCH_WORKERS ?? 2);
/**
 * SIGUSR2 runs a full GC in the relay, so RSS is what idle sockets retain,
 * and writes process.memoryUsage() to PARLEY_BENCH_MEMFILE: the live JS heap
 * (heapUsed) separates what the relay's objects hold from heap reserve and
 * native memory (SQLite's page cache, the allocator), which RSS mixes in.
 */
const GC_ON_SIGNAL = [
  '--expose-gc',
  '--import',
  "data:text/javascript,import{writeFileSync}from'node:fs';process.on('SIGUSR2',()=>{globalThis.gc();globalThis.gc();writeFileSync(process.env.PARLEY_BENCH_MEMFILE,JSON.stringify(process.memoryUsage()))})",
];

interface Growth {
  rssPerSocket: number;
  heapUsedPerSocket: number;
}

async function perSocketBytes(pool: LoadPool, roomSize: number, sockets: number): Promise<Growth> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-mem-'));
  const memFile = join(dir, 'memory.json');
  const server = await startServer('parley', {
    nodeArgs: GC_ON_SIGNAL,
    env: { PARLEY_BENCH_MEMFILE: memFile },
  });
  try {
    const spec: ServerSpec = { kind: 'parley', wsUrl: server.wsUrl, origin: server.origin };
    const tag = runTag();
    const rssAfterGc = async () => {
      process.kill(server.pid, 'SIGUSR2');
      await sleep(GC_WAIT_MS);
      const usage = JSON.parse(readFileSync(memFile, 'utf8')) as { heapUsed: number };
      return { rss: server.rssBytes(), heapUsed: usage.heapUsed };
    };
    const warm = split(WARMUP_SOCKETS, pool.workers.length);
    await pool.all(
      (i) => ({ op: 'hold', server: spec, tag: `${tag}w${i}`, count: warm[i]! }),
      60_000,
    );
    await sleep(SETTLE_MS);
    const before = await rssAfterGc();
    if (roomSize === 0) {
      const perWorker = split(sockets, pool.workers.length);
      await pool.all(
        (i) => ({ op: 'hold', server: spec, tag: `${tag}n${i}`, count: perWorker[i]! }),
        120_000,
      );
    } else {
      const perWorker = split(Math.round(sockets / roomSize), pool.workers.length);
      await pool.all(
        (i) => ({ op: 'setup', server: spec, tag: `${tag}r${i}`, rooms: perWorker[i]!, roomSize }),
        120_000,
      );
    }
    await sleep(SETTLE_MS);
    const after = await rssAfterGc();
    const held = roomSize === 0 ? sockets : Math.round(sockets / roomSize) * roomSize;
    const growth = {
      rssPerSocket: (after.rss - before.rss) / held,
      heapUsedPerSocket: (after.heapUsed - before.heapUsed) / held,
    };
    process.stderr.write(
      `relay-room-memory: ${roomSize === 0 ? 'no rooms' : `rooms of ${roomSize}`}: RSS ${round(growth.rssPerSocket / 1024, 1)} KB, JS heap ${round(growth.heapUsedPerSocket / 1024, 2)} KB per socket\n`,
    );
    return growth;
  } finally {
    await pool.all({ op: 'close' }, 30_000).catch(() => {});
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function relayRoomMemory(): Promise<BenchResult[]> {
  await loadSodium();
  const sockets = quickMode() ? 500 : 2_000;
  const context = await loadContext();
  const pool = await LoadPool.start(LOAD_WORKERS);
  try {
    const none = await perSocketBytes(pool, 0, sockets);
    const figures: Record<string, number | null> = {
      sockets,
      relayKBPerSocket_noRoom: round(none.rssPerSocket / 1024, 1),
      heapKBPerSocket_noRoom: round(none.heapUsedPerSocket / 1024, 2),
    };
    for (const size of ROOM_SIZES) {
      const g = await perSocketBytes(pool, size, sockets);
      figures[`relayKBPerSocket_room${size}`] = round(g.rssPerSocket / 1024, 1);
      figures[`extraKBPerSocket_room${size}`] = round(
        (g.rssPerSocket - none.rssPerSocket) / 1024,
        1,
      );
      figures[`heapKBPerSocket_room${size}`] = round(g.heapUsedPerSocket / 1024, 2);
      figures[`extraHeapKBPerSocket_room${size}`] = round(
        (g.heapUsedPerSocket - none.heapUsedPerSocket) / 1024,
        2,
      );
    }
    return [
      {
        id: 'R3',
        bench: 'relay-room-memory',
        env: 'node',
        figures,
        target: {},
        notes:
          `${context}. RSS growth after a forced GC per registered socket, on a fresh relay per ` +
          `size; includes registration's SQLite pages (same for every size), so compare sizes ` +
          `with each other (extraKBPerSocket), not with R3's ≤ 12 KB (bench/relay-idle-memory). ` +
          `heapKBPerSocket is the live JS heap after GC: what the relay's own objects hold.`,
        machine: machineInfo(),
      },
    ];
  } finally {
    pool.kill();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const r of await relayRoomMemory()) process.stdout.write(`${JSON.stringify(r)}\n`);
}
