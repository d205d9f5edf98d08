/**
 * TARGETS.md P1 (time to first message after join) and P3 (message latency,
 * send → stored and rendered) for the engine in Node: real relay, real
 * WebRTC (node-datachannel), encrypted history (fake-indexeddb). P3 runs on a
 * direct link and on the relay path (a client without WebRTC). The targets
 * are stated for Chromium pages; these are the Node figures, said as such.
 *
 *   npx tsx bench/run.ts engine-latency
 */
import { loadSodium } from '../shared/crypto/sodium.ts';
import { startTestRelay } from '../test/integration/relay/harness.ts';
import { registerUser, startClient, until } from '../test/support/engine-client.ts';
import { type BenchResult, machineInfo, quick } from './lib/result.ts';

const JOIN_RUNS = quick ? 4 : 10;
const PING_PONGS = quick ? 100 : 500;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    p50: round(quantile(s, 0.5)),
    p95: round(quantile(s, 0.95)),
    p99: round(quantile(s, 0.99)),
  };
}

const round = (x: number) => Math.round(x * 100) / 100;

type Client = Awaited<ReturnType<typeof startClient>>;

async function pair(relay: Awaited<ReturnType<typeof startTestRelay>>, webrtc: boolean) {
  const alice = await startClient(relay, await registerUser(relay));
  const bob = await startClient(relay, await registerUser(relay), { webrtc });
  return { alice, bob };
}

/** One-way latency: send on one side until the other side's conversation stored it. */
async function pingPong(a: Client, b: Client, roomId: string, n: number): Promise<number[]> {
  const samples: number[] = [];
  const text = 'x'.repeat(100);
  for (let i = 0; i < n; i++) {
    const [from, to] = i % 2 === 0 ? [a, b] : [b, a];
    const got = new Promise<number>((resolve) => {
      const off = to.conversation(roomId)!.events.on('received', () => {
        off();
        resolve(performance.now());
      });
    });
    const t0 = performance.now();
    await from.sendText(roomId, text);
    samples.push((await got) - t0);
  }
  return samples;
}

async function latency(webrtc: boolean): Promise<number[]> {
  const relay = await startTestRelay();
  const { alice, bob } = await pair(relay, webrtc);
  try {
    const { roomId } = await alice.createRoom('bench', 'public');
    await bob.joinRoom(roomId);
    await until(
      () =>
        [alice, bob].every((c) =>
          c
            .room(roomId)!
            .mesh.peers()
            .some((p) => p.verified),
        ),
      20_000,
    );
    await pingPong(alice, bob, roomId, 20); // warm-up
    return await pingPong(alice, bob, roomId, PING_PONGS);
  } finally {
    alice.close();
    bob.close();
    await relay.destroy();
  }
}

/** From the joiner's request to the first message from a member it receives. */
async function timeToFirstMessage(): Promise<number[]> {
  const relay = await startTestRelay();
  const { alice, bob } = await pair(relay, true);
  const samples: number[] = [];
  try {
    for (let i = 0; i < JOIN_RUNS; i++) {
      const { roomId } = await alice.createRoom(`join-${i}`, 'public');
      const off = alice.room(roomId)!.mesh.events.on('peerOpen', () => {
        off();
        void alice.sendText(roomId, 'welcome');
      });
      const t0 = performance.now();
      await bob.joinRoom(roomId);
      await until(() => (bob.conversation(roomId)?.messages.value.length ?? 0) > 0, 20_000);
      samples.push(performance.now() - t0);
    }
    return samples;
  } finally {
    alice.close();
    bob.close();
    await relay.destroy();
  }
}

export default async function engineLatency(): Promise<BenchResult[]> {
  await loadSodium();
  const machine = machineInfo();
  const join = summary(await timeToFirstMessage());
  const direct = summary(await latency(true));
  const relayed = summary(await latency(false));
  return [
    {
      id: 'P1',
      bench: 'engine-latency/time-to-first-message',
      env: 'node',
      figure: join.p50,
      unit: 'ms',
      figures: { p50Ms: join.p50, p95Ms: join.p95, runs: JOIN_RUNS },
      target: { p50Ms: 300, p95Ms: 600 },
      meetsTarget: join.p50 <= 300 && join.p95 <= 600,
      notes:
        'secondary figure: engines in Node over node-datachannel; the Chromium figure is pages-latency',
      machine,
    },
    {
      id: 'P3',
      bench: 'engine-latency/message-latency',
      env: 'node',
      figure: direct.p50,
      unit: 'ms',
      figures: {
        directP50Ms: direct.p50,
        directP99Ms: direct.p99,
        relayP50Ms: relayed.p50,
        relayP99Ms: relayed.p99,
        messages: PING_PONGS,
      },
      target: { directP50Ms: 2, directP99Ms: 10, relayP50Ms: 5 },
      meetsTarget: direct.p50 <= 2 && direct.p99 <= 10 && relayed.p50 <= 5,
      notes:
        'secondary figure: engines in Node (node-datachannel, fake-indexeddb), one-way in one process; the Chromium figure is pages-latency',
      machine,
    },
  ];
}
