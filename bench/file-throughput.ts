/**
 * P4 — encrypted P2P file throughput (TARGETS.md): 128 MiB from one Chromium
 * page to another through the engine's file transfer (signed offer, chunked
 * and encrypted segments, windowed acks, the receiver's hash check, saved
 * into OPFS), and in the same run, between two other pages:
 *  - a bare RTCPeerConnection data channel sending the same bytes in 64 KiB
 *    messages with the same flow control (pause above 1 MiB queued, resume
 *    at 256 KiB) and no app logic: the limit the target is a ratio of;
 *  - PeerJS's DataConnection (default serialization) with its own server
 *    (`peer`), the same 64 KiB sends: what a PeerJS app gets.
 * Also the engine into a memory sink (the cost of the disk, separated).
 * A probe on RTCDataChannel.send records the largest send queue each side
 * saw and any send Chromium refused (its queue overflows past 16 MiB).
 *
 *   npm run bench -- file-throughput      (or p4; --quick: 32 MiB)
 */
import type { Browser, Page } from 'playwright-core';
import { startProfiles } from './lib/cdp-profile.ts';
import { engineCall, rawCall, withCluster } from './lib/page-cluster.ts';
import { type BenchResult, machineInfo, quick, ratioOf } from './lib/result.ts';
import { round2 } from './lib/stats.ts';
import { startThreadCpu } from './lib/thread-cpu.ts';

const MIB = 1024 * 1024;
const SIZE = (quick ? 32 : 128) * MIB;
/**
 * Each of the three first moves this much on its fresh connection, unmeasured:
 * SCTP's first bulk transfer on a new channel runs at a fraction of the rate
 * (FINDINGS.md), and all three should be compared warmed up alike.
 */
const WARMUP = 8 * MIB;
const WAIT_MS = 180_000;
/** Chromium refuses sends past this much queued. */
const CHROMIUM_SEND_QUEUE_BYTES = 16 * MIB;

/** Share of bulk sends that found the channel's queue empty (it had run dry). */
const dryShare = (q: { bulkSends: number; bulkSendsIntoEmptyQueue: number }) =>
  q.bulkSends ? round2(q.bulkSendsIntoEmptyQueue / q.bulkSends) : null;

const mibPerSec = (ms: number) => round2(SIZE / MIB / (ms / 1000));

/**
 * Runs one measured transfer; with PARLEY_BENCH_THREADS=1 prints the CPU each
 * Chromium thread spent in it (bench/lib/thread-cpu.ts), and with
 * PARLEY_BENCH_MARKS=1 its wall-clock span (`mark <name> <start> <end>`, epoch
 * ms) for samplers run from outside.
 */
async function measured<T>(name: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const threads = startThreadCpu(name);
  const result = await run();
  threads.stop();
  if (process.env.PARLEY_BENCH_MARKS === '1')
    process.stderr.write(`  mark ${name} ${start} ${Date.now()}\n`);
  return result;
}

async function engineTransfer(
  browser: Browser,
  sender: Page,
  receiver: Page,
  keys: [string, string],
  name: string,
): Promise<{ ms: number; maxBufferedBytes: number; refused: number; dry: number | null }> {
  const [ka, kb] = keys;
  const roomId = await engineCall(sender, 'createRoom', ka, name);
  await engineCall(receiver, 'joinRoom', kb, roomId);
  await engineCall(sender, 'waitVerified', ka, roomId, 1, WAIT_MS);
  await engineCall(receiver, 'waitVerified', kb, roomId, 1, WAIT_MS);
  const paths = await engineCall(sender, 'paths', ka, roomId);
  if (!paths.direct) throw new Error(`engine link is not direct: ${JSON.stringify(paths)}`);
  const warmup = await engineCall(sender, 'share', ka, roomId, WARMUP);
  await engineCall(receiver, 'acceptUntilComplete', kb, warmup, WAIT_MS);
  await engineCall(sender, 'resetSendQueue');
  const profiles = await startProfiles(browser, { sender, receiver }, name);
  const fileId = await engineCall(sender, 'share', ka, roomId, SIZE);
  const ms = await measured(name, () =>
    engineCall(receiver, 'acceptUntilComplete', kb, fileId, WAIT_MS),
  );
  await profiles.stop();
  const queue = await engineCall(sender, 'sendQueue');
  return {
    ms,
    maxBufferedBytes: queue.maxBufferedBytes,
    refused: queue.refused,
    dry: dryShare(queue),
  };
}

export default async function fileThroughput(): Promise<BenchResult[]> {
  return withCluster({ peerServer: true }, async (cluster) => {
    const [a, b] = [await cluster.enginePage(), await cluster.enginePage()];
    const [ra, rb] = [await cluster.rawPage(), await cluster.rawPage()];
    const stamp = Date.now().toString(36);
    const start = (page: Page, key: string, sink: 'opfs' | 'memory') =>
      engineCall(page, 'start', key, `${key}_${stamp}`, { webrtc: true, sink });
    await start(a, 'a', 'memory');
    await start(b, 'b', 'opfs');
    await start(b, 'bm', 'memory');

    // The bare channel first, on a fresh connection like the engine's.
    const room = `p4-${stamp}`;
    await rawCall(rb, 'rawListen', room);
    await rawCall(ra, 'rawPrepare', room);
    await rawCall(ra, 'rawJoinUntilFirstMessage', room, WAIT_MS);
    await rawCall(ra, 'rawSend', room, WARMUP, WAIT_MS);
    await rawCall(ra, 'resetSendQueue');
    const rawMs = await measured('p4-raw', () => rawCall(ra, 'rawSend', room, SIZE, WAIT_MS));
    const rawQueue = await rawCall(ra, 'sendQueue');
    process.stderr.write(`  P4 raw data channel: ${mibPerSec(rawMs)} MiB/s\n`);

    const engine = await engineTransfer(cluster.browser, a, b, ['a', 'b'], 'p4-opfs');
    const sinkKind = await engineCall(b, 'sinkKind', 'b');
    process.stderr.write(`  P4 engine into OPFS (${sinkKind}): ${mibPerSec(engine.ms)} MiB/s\n`);
    const memory = await engineTransfer(cluster.browser, a, b, ['a', 'bm'], 'p4-memory');
    process.stderr.write(`  P4 engine into memory: ${mibPerSec(memory.ms)} MiB/s\n`);

    const port = cluster.peerServerPort;
    if (port === null) throw new Error('no PeerJS server');
    const [ida, idb] = [`pa-${stamp}`, `pb-${stamp}`];
    await rawCall(rb, 'peerjsListen', idb, port, WAIT_MS);
    await rawCall(ra, 'peerjsConnect', ida, idb, port, WAIT_MS);
    await rawCall(ra, 'peerjsSend', ida, WARMUP, WAIT_MS);
    await rawCall(ra, 'resetSendQueue');
    const peerjsMs = await measured('p4-peerjs', () =>
      rawCall(ra, 'peerjsSend', ida, SIZE, WAIT_MS),
    );
    const peerjsQueue = await rawCall(ra, 'sendQueue');
    process.stderr.write(`  P4 PeerJS: ${mibPerSec(peerjsMs)} MiB/s\n`);

    for (const p of [a, b, ra, rb]) {
      await p.evaluate(() =>
        (globalThis as unknown as { parleyBench: { close(): void } }).parleyBench.close(),
      );
    }

    const engineMiBps = mibPerSec(engine.ms);
    const rawMiBps = mibPerSec(rawMs);
    const ratio = ratioOf(engineMiBps, rawMiBps);
    const neverOverflowed =
      engine.refused === 0 &&
      memory.refused === 0 &&
      Math.max(engine.maxBufferedBytes, memory.maxBufferedBytes) < CHROMIUM_SEND_QUEUE_BYTES;
    return [
      {
        id: 'P4',
        bench: 'file-throughput',
        env: 'chromium',
        figure: engineMiBps,
        unit: 'MiB/s',
        peers: { rawDataChannel: rawMiBps, peerjs: mibPerSec(peerjsMs) },
        ratio,
        figures: {
          mib: SIZE / MIB,
          engineOpfsMiBps: engineMiBps,
          engineMemorySinkMiBps: mibPerSec(memory.ms),
          rawDataChannelMiBps: rawMiBps,
          peerjsMiBps: mibPerSec(peerjsMs),
          engineMaxBufferedBytes: Math.max(engine.maxBufferedBytes, memory.maxBufferedBytes),
          engineRefusedSends: engine.refused + memory.refused,
          rawMaxBufferedBytes: rawQueue.maxBufferedBytes,
          peerjsMaxBufferedBytes: peerjsQueue.maxBufferedBytes,
          engineOpfsDrySendShare: engine.dry,
          engineMemoryDrySendShare: memory.dry,
          rawDrySendShare: dryShare(rawQueue),
          peerjsDrySendShare: dryShare(peerjsQueue),
        },
        target: { ratioToRaw: 0.75 },
        meetsTarget: (ratio ?? 0) >= 0.75 && neverOverflowed,
        notes: `OPFS sink: ${sinkKind} (the app's default); each connection first moves 8 MiB unmeasured (SCTP warm-up); engine: accept → verified against the signed hash and saved (OPFS; memory sink beside it); raw and PeerJS: first send → receiver says done; 64 KiB messages, pause above 1 MiB queued for all three; max buffered = largest RTCDataChannel.bufferedAmount after any send on the sending page (Chromium refuses sends past 16 MiB)`,
        machine: machineInfo(cluster.chromiumVersion),
      },
    ];
  });
}
