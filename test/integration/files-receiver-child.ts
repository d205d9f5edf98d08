/**
 * A receiving engine in its own process (forked by files-transfer.test.ts),
 * so "the receiver's memory stays bounded" measures the receiver alone and
 * the throughput figure is two engines on two cores, as between two devices.
 * It joins the room, accepts the first file offered, samples its own RSS
 * while the file arrives, and reports over IPC.
 */
import { loadSodium } from '../../shared/crypto/sodium.ts';
import { startClient, type TestUser, until } from '../support/engine-client.ts';
import { nodeSinkFactory } from '../support/node-file-io.ts';

export interface ChildStart {
  wsUrl: string;
  user: TestUser;
  roomId: string;
  inbox: string;
}

export type ChildReport =
  | { t: 'ready'; rss: number }
  | {
      t: 'finished';
      state: string;
      savedAs: string | null;
      baselineRss: number;
      peakRss: number;
      seconds: number;
    };

const SAMPLE_MS = 25;

function report(m: ChildReport): void {
  process.send?.(m);
}

process.once('message', (start: ChildStart) => {
  void run(start).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
});

async function run(start: ChildStart): Promise<void> {
  await loadSodium();
  const bob = await startClient({ wsUrl: start.wsUrl }, start.user, {
    files: { sinks: nodeSinkFactory(start.inbox) },
  });
  await bob.joinRoom(start.roomId);
  await until(
    () =>
      bob
        .room(start.roomId)
        ?.mesh.peers()
        .some((p) => p.verified) ?? false,
    20_000,
    'linked',
  );
  global.gc?.();
  const baselineRss = process.memoryUsage.rss();
  let peakRss = baselineRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, SAMPLE_MS);
  report({ t: 'ready', rss: baselineRss });
  await until(() => bob.files.transfers.value.length > 0, 30_000, 'offer');
  const offered = bob.files.transfers.value[0];
  if (!offered) throw new Error('no offer');
  const started = Date.now();
  await bob.files.accept(offered.id);
  const end = () =>
    bob.files.transfers.value.find(
      (t) => t.id === offered.id && ['complete', 'failed', 'cancelled'].includes(t.state),
    );
  await until(() => !!end(), 120_000, 'file finished');
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  const done = end();
  report({
    t: 'finished',
    state: done?.state ?? 'unknown',
    savedAs: done?.savedAs ?? null,
    baselineRss,
    peakRss,
    seconds,
  });
  bob.close();
  setTimeout(() => process.exit(0), 100);
}
