/**
 * P2 (full mesh of 6: six pages join a room at once, time until every pair
 * is linked and verified), TARGETS.md, against the same mesh of bare
 * RTCPeerConnection data channels between six pages (signalling over a
 * trivial WebSocket broadcast) in the same run; then the scaling sweep over
 * room sizes 2, 8 and 32: the time to a fully linked room (P2) and the
 * message latency inside it (P3, one-way = round trip ÷ 2 between two
 * members while every other member stores every message too).
 *
 * Rooms of 2 and 8 put one engine in each page. A room of 32 does not fit on
 * 2 cores as 32 renderers: it runs as 8 pages holding 4 engines each (every
 * engine its own relay socket, keys, IndexedDB and peer connections). Past the
 * mesh cap (8 direct links per device) the rest of a room of 32 is reached
 * through the relay path, so "linked" there means direct or relay links.
 *
 *   npm run bench -- mesh-scaling      (or p2; --quick for fewer runs)
 */
import type { Page } from 'playwright-core';
import { type Cluster, engineCall, rawCall, withCluster } from './lib/page-cluster.ts';
import { type BenchResult, machineInfo, quick, ratioOf } from './lib/result.ts';
import { quantile, round2, summary } from './lib/stats.ts';

const MESH_SIZE = 6;
const MESH_RUNS = quick ? 1 : 3;
const SCALING_SIZES = quick ? [2, 8] : [2, 8, 32];
const SCALING_PAGES = 8;
/** Fewer in a room of 32, where every round trip is hundreds of ms on 2 cores. */
const scalingPingPongs = (size: number) => (quick ? 50 : size > 8 ? 100 : 200);
const WARMUP_PING_PONGS = 20;
const LINK_TIMEOUT_MS = 120_000;
const WAIT_MS = 20_000;

interface Member {
  page: Page;
  key: string;
}

function closeAll(pages: Page[]): Promise<unknown> {
  return Promise.all(
    pages.map((p) =>
      p.evaluate(() =>
        (globalThis as unknown as { parleyBench: { close(): void } }).parleyBench.close(),
      ),
    ),
  );
}

/**
 * The first member creates a room; everyone else joins at once. Ms until all
 * are linked; null if some were not within LINK_TIMEOUT_MS, with the share of
 * pair ends that were (`linkedShare`), so one slow room does not lose the rest.
 */
async function joinAtOnce(
  members: Member[],
  name: string,
): Promise<{ ms: number | null; roomId: string; linkedShare: number }> {
  const owner = members[0];
  if (!owner) throw new Error('no members');
  const roomId = await engineCall(owner.page, 'createRoom', owner.key, name);
  const t0 = Date.now();
  const linked = members.map((m) =>
    (async () => {
      if (m !== owner) await engineCall(m.page, 'joinRoom', m.key, roomId);
      return engineCall(m.page, 'waitVerified', m.key, roomId, members.length - 1, LINK_TIMEOUT_MS);
    })(),
  );
  const done = await Promise.allSettled(linked);
  const times = done.flatMap((d) => (d.status === 'fulfilled' ? [d.value] : []));
  if (times.length === members.length)
    return { ms: Math.max(...times) - t0, roomId, linkedShare: 1 };
  let ends = 0;
  for (const m of members) ends += await engineCall(m.page, 'verifiedPeers', m.key, roomId);
  const linkedShare = round2(ends / (members.length * (members.length - 1)));
  process.stderr.write(
    `  ${name}: not linked in ${LINK_TIMEOUT_MS} ms (${linkedShare} of pair ends)\n`,
  );
  return { ms: null, roomId, linkedShare };
}

/** Six bare pages: every pair opens a data channel (lower index offers); ms until all have. */
async function rawMesh(pages: Page[], name: string): Promise<number> {
  const t0 = Date.now();
  const pairs: Promise<number>[] = [];
  for (let i = 0; i < pages.length; i++) {
    for (let j = i + 1; j < pages.length; j++) {
      const room = `${name}-${i}-${j}`;
      const [offerer, answerer] = [pages[i]!, pages[j]!];
      pairs.push(
        (async () => {
          await rawCall(answerer, 'rawListen', room);
          await rawCall(offerer, 'rawPrepare', room);
          await rawCall(offerer, 'rawJoinUntilFirstMessage', room, WAIT_MS);
          return Date.now();
        })(),
      );
    }
  }
  return Math.max(...(await Promise.all(pairs))) - t0;
}

async function meshOfSix(cluster: Cluster, stamp: string) {
  const pages: Page[] = [];
  const raws: Page[] = [];
  for (let i = 0; i < MESH_SIZE; i++) pages.push(await cluster.enginePage());
  for (let i = 0; i < MESH_SIZE; i++) raws.push(await cluster.rawPage());
  const engine: number[] = [];
  const raw: number[] = [];
  for (let run = 0; run < MESH_RUNS; run++) {
    const members = await Promise.all(
      pages.map(async (page, i) => {
        const key = `m${run}-${i}`;
        await engineCall(page, 'start', key, `${key}_${stamp}`, { webrtc: true, sink: 'memory' });
        return { page, key };
      }),
    );
    raw.push(await rawMesh(raws, `mesh-${stamp}-${run}`));
    // A run that did not link counts as slower than any that did.
    engine.push((await joinAtOnce(members, `mesh-${run}`)).ms ?? Number.POSITIVE_INFINITY);
    process.stderr.write(
      `  P2 mesh of 6, run ${run}: engine ${engine.at(-1)} ms, raw ${raw.at(-1)} ms\n`,
    );
    await closeAll([...pages, ...raws]);
  }
  for (const p of [...pages, ...raws]) await p.context().close();
  return { engine, raw };
}

/** Room of `size`: time to linked, then ping-pong between the first two members. */
async function scaledRoom(pages: Page[], size: number, stamp: string) {
  const members: Member[] = [];
  for (let i = 0; i < size; i++) {
    const page = pages[i % pages.length]!;
    const key = `s${size}-${i}`;
    members.push({ page, key });
  }
  // Registered and started before the clock starts, a page's engines one after another.
  await Promise.all(
    pages.map(async (page) => {
      for (const m of members.filter((x) => x.page === page)) {
        await engineCall(page, 'start', m.key, `${m.key}_${stamp}`, {
          webrtc: true,
          sink: 'memory',
        });
      }
    }),
  );
  const { ms, roomId, linkedShare } = await joinAtOnce(members, `scale-${size}`);
  const [a, b] = members as [Member, Member];
  const paths = await engineCall(a.page, 'paths', a.key, roomId);
  if (ms === null && !(await engineCall(a.page, 'verifiedPeers', a.key, roomId))) {
    await closeAll(pages);
    return { ms, linkedShare, oneWay: null, paths };
  }
  await engineCall(b.page, 'armEcho', b.key, roomId);
  await engineCall(a.page, 'pingPong', a.key, roomId, WARMUP_PING_PONGS, WAIT_MS);
  const rtt = await engineCall(a.page, 'pingPong', a.key, roomId, scalingPingPongs(size), WAIT_MS);
  await closeAll(pages);
  const oneWay = rtt.map((x) => x / 2);
  process.stderr.write(
    `  room of ${size}: linked in ${ms} ms, one-way p50 ${round2(quantile(oneWay, 0.5))} ms, paths ${JSON.stringify(paths)}\n`,
  );
  return { ms, linkedShare, oneWay: summary(oneWay), paths };
}

export default async function meshScaling(): Promise<BenchResult[]> {
  return withCluster({}, async (cluster) => {
    const stamp = Date.now().toString(36);
    const six = await meshOfSix(cluster, stamp);
    const pages: Page[] = [];
    for (let i = 0; i < SCALING_PAGES; i++) pages.push(await cluster.enginePage());
    const sizes: Record<number, Awaited<ReturnType<typeof scaledRoom>>> = {};
    for (const size of SCALING_SIZES) sizes[size] = await scaledRoom(pages, size, stamp);

    const machine = machineInfo(cluster.chromiumVersion);
    const median = (xs: number[]) => round2(quantile(xs, 0.5));
    const engineMs = median(six.engine);
    const rawMs = median(six.raw);
    const linkedFigures: Record<string, number | null> = {};
    const latencyFigures: Record<string, number | null> = {};
    for (const size of SCALING_SIZES) {
      const s = sizes[size]!;
      linkedFigures[`size${size}LinkedMs`] = s.ms;
      linkedFigures[`size${size}LinkedShare`] = s.linkedShare;
      linkedFigures[`size${size}DirectLinks`] = s.paths.direct ?? 0;
      linkedFigures[`size${size}RelayLinks`] = s.paths.relay ?? 0;
      latencyFigures[`size${size}P50Ms`] = s.oneWay?.p50 ?? null;
      latencyFigures[`size${size}P99Ms`] = s.oneWay?.p99 ?? null;
      latencyFigures[`size${size}Messages`] = scalingPingPongs(size);
    }
    const layout =
      'rooms of 2 and 8: one engine per page; room of 32: 8 pages holding 4 engines each (one Chromium), past the mesh cap of 8 the rest through the relay path; direct/relay links counted at the first member';
    return [
      {
        id: 'P2',
        bench: 'mesh-scaling/full-mesh-of-6',
        env: 'chromium',
        figure: engineMs,
        unit: 'ms',
        peers: { rawDataChannelMesh: rawMs },
        ratio: ratioOf(engineMs, rawMs),
        figures: {
          medianMs: engineMs,
          worstMs: Math.max(...six.engine),
          rawMeshMedianMs: rawMs,
          runs: MESH_RUNS,
        },
        target: { medianMs: 3000 },
        meetsTarget: engineMs <= 3000,
        notes:
          'six pages, each its own engine; the owner creates the room, five join at once; done when every engine has 5 verified links. raw = 15 bare data channels between six pages opened at once',
        machine,
      },
      {
        id: 'P2',
        bench: 'mesh-scaling/room-size',
        env: 'chromium',
        figures: linkedFigures,
        target: { medianMs: 3000 },
        notes: `scaling of time to every pair linked and verified; ${layout}`,
        machine,
      },
      {
        id: 'P3',
        bench: 'mesh-scaling/room-size',
        env: 'chromium',
        figures: latencyFigures,
        target: { directP50Ms: 2, directP99Ms: 10 },
        notes: `one-way latency (round trip / 2) between two members while the rest of the room stores every message too; ${layout}`,
        machine,
      },
    ];
  });
}
