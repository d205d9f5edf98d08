/**
 * P1 (time to first message after join) and P3 (message latency, send →
 * stored and rendered), TARGETS.md, in two Chromium pages on loopback running
 * the real engine against the real relay — and, in the same run and the same
 * browser, a bare RTCPeerConnection data channel between two pages with its
 * signalling through a trivial WebSocket broadcast: the limit.
 *
 * P1: the joiner's clock, from the join request (raw: the offer) until the
 * member's first message is stored (raw: arrives). The member sends it the
 * moment its verified link (raw: channel) opens. A fresh room per run.
 * P3: 100 B ping-pong, each ping answered on arrival; one-way = round trip ÷ 2,
 * because the two pages are two processes (two clocks). "Rendered" = signed,
 * encrypted, stored in IndexedDB, in the conversation's messages signal and
 * written into the DOM. Also on the relay path (both engines without WebRTC).
 * bench/engine-latency.ts measures the same in Node (node-datachannel).
 *
 *   npm run bench -- pages-latency      (or p1, p3; --quick for fewer runs)
 */
import { engineCall, rawCall, withCluster } from './lib/page-cluster.ts';
import { type BenchResult, machineInfo, quick, ratioOf } from './lib/result.ts';
import { round2, summary } from './lib/stats.ts';

const JOIN_RUNS = quick ? 4 : 12;
const PING_PONGS = quick ? 200 : 1_000;
const WARMUP_PING_PONGS = 30;
const WAIT_MS = 20_000;
const IDB_FLOOR_TRANSACTIONS = quick ? 100 : 300;

const half = (xs: number[]) => xs.map((x) => x / 2);

export default async function pagesLatency(): Promise<BenchResult[]> {
  return withCluster({}, async (cluster) => {
    const [a, b] = [await cluster.enginePage(), await cluster.enginePage()];
    const [ra, rb] = [await cluster.rawPage(), await cluster.rawPage()];
    const stamp = Date.now().toString(36);
    const start = (page: typeof a, key: string, webrtc: boolean) =>
      engineCall(page, 'start', key, `${key}_${stamp}`, { webrtc, sink: 'memory' });
    await start(a, 'a', true);
    await start(b, 'b', true);

    // P1, alternating the engine and the raw channel so both see the same load.
    const join: number[] = [];
    const rawJoin: number[] = [];
    let rawRoom = '';
    for (let i = 0; i < JOIN_RUNS; i++) {
      rawRoom = `p1-${stamp}-${i}`;
      await rawCall(ra, 'rawListen', rawRoom);
      await rawCall(rb, 'rawPrepare', rawRoom);
      rawJoin.push(await rawCall(rb, 'rawJoinUntilFirstMessage', rawRoom, WAIT_MS));

      const roomId = await engineCall(a, 'createRoom', 'a', `join-${i}`);
      await engineCall(a, 'armWelcome', 'a', roomId);
      join.push(await engineCall(b, 'joinUntilFirstMessage', 'b', roomId, WAIT_MS));
      await engineCall(b, 'leaveRoom', 'b', roomId);
      process.stderr.write(
        `  P1 run ${i}: engine ${join.at(-1)?.toFixed(0)} ms, raw ${rawJoin.at(-1)?.toFixed(0)} ms\n`,
      );
    }

    // P3 over the last raw pair, then the engine on a direct link, then through the relay.
    await rawCall(rb, 'rawPingPong', rawRoom, WARMUP_PING_PONGS, WAIT_MS);
    const raw = summary(half(await rawCall(rb, 'rawPingPong', rawRoom, PING_PONGS, WAIT_MS)));

    const pingPong = async (ka: string, kb: string): Promise<{ rtt: number[]; path: string }> => {
      const roomId = await engineCall(a, 'createRoom', ka, `p3-${ka}`);
      await engineCall(b, 'joinRoom', kb, roomId);
      await engineCall(a, 'waitVerified', ka, roomId, 1, WAIT_MS);
      await engineCall(b, 'waitVerified', kb, roomId, 1, WAIT_MS);
      await engineCall(b, 'armEcho', kb, roomId);
      await engineCall(a, 'pingPong', ka, roomId, WARMUP_PING_PONGS, WAIT_MS);
      const rtt = await engineCall(a, 'pingPong', ka, roomId, PING_PONGS, WAIT_MS);
      const paths = await engineCall(a, 'paths', ka, roomId);
      return { rtt, path: Object.keys(paths).join('+') };
    };
    const direct = await pingPong('a', 'b');
    // The bare IndexedDB writes of one message, in the engine's page, with its engine idle.
    const idb = await engineCall(a, 'idbFloor', IDB_FLOOR_TRANSACTIONS);
    const store = await engineCall(a, 'storeCost', IDB_FLOOR_TRANSACTIONS);
    await start(a, 'ar', false);
    await start(b, 'br', false);
    const relayed = await pingPong('ar', 'br');
    for (const p of [a, b, ra, rb])
      await p.evaluate(() => {
        (globalThis as unknown as { parleyBench: { close(): void } }).parleyBench.close();
      });

    const machine = machineInfo(cluster.chromiumVersion);
    const j = summary(join);
    const rj = summary(rawJoin);
    const d = summary(half(direct.rtt));
    const r = summary(half(relayed.rtt));
    // Raw one-way + the sender's and the receiver's bare transactions.
    const floorP50 = round2(raw.p50 + idb.sendTxP50Ms + idb.receiveTxP50Ms);
    return [
      {
        id: 'P1',
        bench: 'pages-latency/time-to-first-message',
        env: 'chromium',
        figure: j.p50,
        unit: 'ms',
        peers: { rawDataChannel: rj.p50 },
        ratio: ratioOf(j.p50, rj.p50),
        figures: {
          p50Ms: j.p50,
          p95Ms: j.p95,
          rawP50Ms: rj.p50,
          rawP95Ms: rj.p95,
          runs: JOIN_RUNS,
        },
        target: { p50Ms: 300, p95Ms: 600 },
        meetsTarget: j.p50 <= 300 && j.p95 <= 600,
        notes:
          "two pages, loopback, trickle ICE, host candidates; raw = RTCPeerConnection with signalling over a bare WebSocket broadcast, socket already open (as the engine's relay socket is)",
        machine,
      },
      {
        id: 'P3',
        bench: 'pages-latency/message-latency',
        env: 'chromium',
        figure: d.p50,
        unit: 'ms',
        peers: { rawDataChannel: raw.p50 },
        ratio: ratioOf(d.p50, raw.p50),
        figures: {
          directP50Ms: d.p50,
          directP99Ms: d.p99,
          relayP50Ms: r.p50,
          relayP99Ms: r.p99,
          rawP50Ms: raw.p50,
          rawP99Ms: raw.p99,
          directRoundTripP50Ms: round2(d.p50 * 2),
          messages: PING_PONGS,
          bareIdbSendTxP50Ms: idb.sendTxP50Ms,
          bareIdbSendTxP99Ms: idb.sendTxP99Ms,
          bareIdbReceiveTxP50Ms: idb.receiveTxP50Ms,
          bareIdbReceiveTxP99Ms: idb.receiveTxP99Ms,
          storedFloorP50Ms: floorP50,
          engineSendStoreP50Ms: store.sendStoreP50Ms,
          engineSendStoreP99Ms: store.sendStoreP99Ms,
          engineReceiveStoreP50Ms: store.receiveStoreP50Ms,
          engineReceiveStoreP99Ms: store.receiveStoreP99Ms,
        },
        target: { directP50Ms: 2, directP99Ms: 10, relayP50Ms: 5 },
        meetsTarget: d.p50 <= 2 && d.p99 <= 10 && r.p50 <= 5,
        notes: `one-way = round trip / 2 (two pages, two clocks); rendered = signed, encrypted, stored in IndexedDB, in the messages signal, written into the DOM; paths: ${direct.path} and ${relayed.path}; storedFloor = raw one-way + the bare IndexedDB transactions of a send and a receive (bench/lib/idb-floor.ts), measured in the engine's page in this run`,
        machine,
      },
    ];
  });
}
