import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerUser, startClient, until } from '../support/engine-client.ts';
import {
  fileSha256,
  nodeFileSource,
  nodeSinkFactory,
  writeTestFile,
} from '../support/node-file-io.ts';
import {
  type Engine,
  filePair,
  fileTestCleanups,
  MIB,
  transfer,
  waitFor,
} from './files-support.ts';
import { startTestRelay } from './relay/harness.ts';

const cleanups = fileTestCleanups();

const complete = (c: Engine, fileId: string) =>
  transfer(c, (t) => t.fileId === fileId && t.direction === 'in' && t.state === 'complete');

describe('several files, several recipients, and a relay that restarts', () => {
  it('two files to two members at once: every copy verifies, and a small file is not stuck behind a big one', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const start = async (name: string) => {
      const c = await startClient(relay, await registerUser(relay), {
        files: { sinks: nodeSinkFactory(join(dir, name)), autoAcceptBytes: 1024 * MIB },
      });
      cleanups.push(() => c.close());
      return c;
    };
    const [alice, bob, carol] = [await start('alice'), await start('bob'), await start('carol')];
    const { roomId } = await alice.createRoom('fanout', 'public');
    await bob.joinRoom(roomId);
    await carol.joinRoom(roomId);
    const verifiedPeers = (c: Engine) =>
      c
        .room(roomId)
        ?.mesh.peers()
        .filter((p) => p.verified).length ?? 0;
    await until(() => [alice, bob, carol].every((c) => verifiedPeers(c) === 2), 20_000, 'mesh');

    const bigPath = join(dir, 'big.bin');
    const smallPath = join(dir, 'small.bin');
    await writeTestFile(bigPath, 48 * MIB, 21);
    await writeTestFile(smallPath, 2 * MIB + 5, 22);
    const big = await nodeFileSource(bigPath);
    const small = await nodeFileSource(smallPath);
    cleanups.push(
      () => big.close?.(),
      () => small.close?.(),
    );
    const bigId = await alice.shareFile(roomId, big);
    await until(
      () => [bob, carol].every((c) => (transfer(c, (t) => t.fileId === bigId)?.bytesDone ?? 0) > 0),
      15_000,
      'big file flowing to both',
    );
    const smallId = await alice.shareFile(roomId, small);
    for (const c of [bob, carol]) {
      await until(() => !!complete(c, smallId), 20_000, 'small file complete');
      // Round-robin: the small file got through while the big one was still moving.
      expect(complete(c, bigId)).toBeUndefined();
    }
    for (const c of [bob, carol])
      await until(() => !!complete(c, bigId), 40_000, 'big file complete');
    const [bigHash, smallHash] = [await fileSha256(bigPath), await fileSha256(smallPath)];
    for (const c of [bob, carol]) {
      expect(await fileSha256(complete(c, bigId)?.savedAs as string)).toBe(bigHash);
      expect(await fileSha256(complete(c, smallId)?.savedAs as string)).toBe(smallHash);
    }
    // Per file and recipient: four outgoing transfers on the sender, all complete.
    await until(
      () => alice.files.transfers.value.filter((t) => t.state === 'complete').length === 4,
      5_000,
      'sender views',
    );
  }, 90_000);

  it('a relay-path transfer survives a relay restart and resumes where it was acknowledged', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups, {
      webrtc: false,
      bob: { autoAcceptBytes: 1024 * MIB },
    });
    const size = 24 * MIB + 99;
    const path = join(pair.dir, 'restart.bin');
    await writeTestFile(path, size, 31);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    await until(
      () => (transfer(pair.bob, (t) => t.fileId === fileId)?.bytesDone ?? 0) >= 6 * MIB,
      20_000,
      'part of the file arrived',
    );
    await relay.close();
    // The relay (the only path) is gone with the file half-way: the transfer waits.
    expect(transfer(pair.bob, (t) => t.fileId === fileId)?.bytesDone ?? 0).toBeLessThan(size);
    await until(
      () => transfer(pair.bob, (t) => t.fileId === fileId)?.state === 'waiting',
      5_000,
      'transfer waiting for a link',
    );
    const again = await startTestRelay({ port: relay.port, dataDir: relay.dataDir });
    cleanups.push(() => again.destroy());
    const done = await waitFor(
      pair.bob,
      (t) => t.fileId === fileId && ['complete', 'failed', 'cancelled'].includes(t.state),
      40_000,
      'finished after the restart',
    );
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    const out = await waitFor(
      pair.alice,
      (t) => t.fileId === fileId && t.state === 'complete',
      5_000,
      'sender saw it complete',
    );
    console.log(`[files] relay restart: ${out.segmentsStarted} segment streams for 2 segments`);
    // Two segments (16 MiB + 8 MiB); at most both again.
    expect(out.segmentsStarted).toBeLessThanOrEqual(4);
  }, 60_000);
});
