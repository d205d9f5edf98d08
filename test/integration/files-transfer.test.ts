import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileTransferError } from '../../web/core/files/file-errors.ts';
import { registerUser, startClient, until } from '../support/engine-client.ts';
import {
  fileSha256,
  nodeFileSource,
  nodeSinkFactory,
  writeTestFile,
} from '../support/node-file-io.ts';
import type { ChildReport, ChildStart } from './files-receiver-child.ts';
import { filePair, fileTestCleanups, MIB, waitFor } from './files-support.ts';
import { startTestRelay } from './relay/harness.ts';

const cleanups = fileTestCleanups();

describe('file sharing between two engines', () => {
  it('a 200 MB file arrives byte-identical over a data channel (hash verified) while the receiving process stays under 64 MiB of RSS growth', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'big.bin');
    const size = 200 * MIB;
    await writeTestFile(path, size, 7);
    const alice = await startClient(relay, await registerUser(relay));
    cleanups.push(() => alice.close());
    const bobUser = await registerUser(relay);
    const { roomId } = await alice.createRoom('files', 'public');
    // The receiver in its own process: its RSS is the receiver's alone.
    const child = fork(fileURLToPath(new URL('./files-receiver-child.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    cleanups.push(() => child.kill());
    const reports: ChildReport[] = [];
    child.on('message', (m: ChildReport) => reports.push(m));
    const start: ChildStart = { wsUrl: relay.wsUrl, user: bobUser, roomId, inbox: join(dir, 'in') };
    child.send(start);
    await until(() => reports.some((r) => r.t === 'ready'), 30_000, 'receiver ready');
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await alice.shareFile(roomId, source);
    await until(() => reports.some((r) => r.t === 'finished'), 80_000, 'receiver finished');
    const done = reports.find((r) => r.t === 'finished');
    if (done?.t !== 'finished') throw new Error('no report');
    expect(done.state).toBe('complete');
    expect(done.savedAs).toBe(join(dir, 'in', fileId));
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    const growthMiB = (done.peakRss - done.baselineRss) / MIB;
    console.log(
      `[files] 200 MiB Node↔Node over a data channel: ${(size / MIB / done.seconds).toFixed(1)} MiB/s ` +
        `(accept → verified); receiver RSS growth ${growthMiB.toFixed(1)} MiB`,
    );
    // Windows, read blocks and the channel's queue: a few MiB each, never the file.
    expect(growthMiB).toBeLessThan(64);
    await until(
      () => alice.files.transfers.value.some((t) => t.fileId === fileId && t.state === 'complete'),
      5_000,
      'sender saw it complete',
    );
  }, 90_000);

  it('the relay path carries a file (clients without WebRTC)', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups, { webrtc: false });
    expect(pair.alice.room(pair.roomId)?.mesh.peers()[0]?.path).toBe('relay');
    const path = join(pair.dir, 'relay.bin');
    await writeTestFile(path, 8 * MIB + 12_345, 3);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const started = Date.now();
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    // 8 MB is under the auto-accept size: no click needed.
    const done = await waitFor(
      pair.bob,
      (t) => t.fileId === fileId && (t.state === 'complete' || t.state === 'failed'),
      30_000,
      'file complete',
    );
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    console.log(
      `[files] 8 MiB via the relay: ${(8 / ((Date.now() - started) / 1000)).toFixed(1)} MiB/s`,
    );
  }, 60_000);

  it('a file shared in a DM arrives on its own under the auto-accept size', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const aliceUser = await registerUser(relay);
    const bobUser = await registerUser(relay);
    const alice = await startClient(relay, aliceUser);
    cleanups.push(() => alice.close());
    const bob = await startClient(relay, bobUser, {
      files: { sinks: nodeSinkFactory(join(dir, 'in')) },
    });
    cleanups.push(() => bob.close());
    const dmId = await alice.openDm(bobUser.username);
    await bob.openDm(aliceUser.username);
    await until(
      () =>
        alice
          .dm(dmId)
          ?.mesh.peers()
          .some((p) => p.verified) ?? false,
      15_000,
      'DM link',
    );
    const path = join(dir, 'dm.txt');
    await writeTestFile(path, 300_000, 4);
    const source = await nodeFileSource(path, 'text/plain');
    cleanups.push(() => source.close?.());
    const fileId = await alice.shareFile(dmId, source);
    await until(
      () => bob.files.transfers.value.some((t) => t.fileId === fileId && t.state === 'complete'),
      15_000,
      'DM file complete',
    );
    const done = bob.files.transfers.value.find((t) => t.fileId === fileId);
    expect(done).toMatchObject({ convId: dmId, name: 'dm.txt', mime: 'text/plain', size: 300_000 });
    expect(await fileSha256(done?.savedAs as string)).toBe(await fileSha256(path));
  }, 30_000);

  it("an offer above the relay's max file size is refused with FILE_TOO_LARGE", async () => {
    const relay = await startTestRelay({ maxFileBytes: 1 * MIB });
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups);
    const path = join(pair.dir, 'too-big.bin');
    await writeTestFile(path, 1 * MIB + 1);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const refused = await pair.alice.shareFile(pair.roomId, source).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FileTransferError);
    expect((refused as FileTransferError).code).toBe('FILE_TOO_LARGE');
    // Nothing was posted.
    expect(pair.alice.conversation(pair.roomId)?.messages.value).toHaveLength(0);
  }, 30_000);
});
