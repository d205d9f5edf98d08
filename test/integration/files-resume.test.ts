import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../support/engine-client.ts';
import { fileSha256, nodeFileSource, writeTestFile } from '../support/node-file-io.ts';
import {
  filePair,
  fileTestCleanups,
  finished,
  MIB,
  SEGMENT_BYTES,
  transfer,
  waitFor,
} from './files-support.ts';
import { startTestRelay } from './relay/harness.ts';

const cleanups = fileTestCleanups();

describe('file transfers that go wrong on the way', () => {
  it('a transfer interrupted mid-way resumes from the last acknowledged segment: same hash, at most two segments sent twice', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups, { bob: { autoAcceptBytes: 1024 * MIB } });
    const size = 6 * SEGMENT_BYTES + 777;
    const path = join(pair.dir, 'resume.bin');
    await writeTestFile(path, size, 11);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    const inId = `in:${fileId}`;
    await until(
      () => (transfer(pair.bob, (t) => t.id === inId)?.bytesDone ?? 0) >= 2.5 * SEGMENT_BYTES,
      30_000,
      'part of the file arrived',
    );
    // A reload: the receiving engine goes away mid-segment and starts again on its history.
    const bob = await pair.restartBob();
    const done = await waitFor(bob, finished(fileId), 45_000, 'resumed transfer finished');
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    const out = await waitFor(
      pair.alice,
      (t) => t.fileId === fileId && t.state === 'complete',
      5_000,
      'sender saw it complete',
    );
    const segments = 7;
    console.log(`[files] resume: ${out.segmentsStarted} segment streams for ${segments} segments`);
    expect(out.segmentsStarted).toBeGreaterThan(segments);
    expect(out.segmentsStarted).toBeLessThanOrEqual(segments + 2);
  }, 90_000);

  it('a tampered chunk is rejected and its segment re-fetched; the file still verifies', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    let tampered = 0;
    const pair = await filePair(relay, cleanups, {
      alice: {
        // A sender (or anything between the crypto and the link) flips one bit, once.
        mutateChunk: (_fileId, segment, index, chunk) => {
          if (segment !== 1 || index !== 5 || tampered > 0) return chunk;
          tampered += 1;
          const copy = chunk.slice();
          copy[100] = (copy[100] ?? 0) ^ 0x01;
          return copy;
        },
      },
    });
    const size = 2 * SEGMENT_BYTES + 4_321;
    const path = join(pair.dir, 'tamper.bin');
    await writeTestFile(path, size, 5);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    const offered = await waitFor(pair.bob, (t) => t.fileId === fileId, 15_000, 'offer shown');
    await pair.bob.files.accept(offered.id);
    const done = await waitFor(pair.bob, finished(fileId), 30_000, 'transfer finished');
    expect(tampered).toBe(1);
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    const out = await waitFor(
      pair.alice,
      (t) => t.fileId === fileId && t.state === 'complete',
      5_000,
      'sender saw it complete',
    );
    // Three segments, and segment 1 once more after the rejected chunk.
    expect(out.segmentsStarted).toBe(4);
  }, 60_000);

  it('either side can pause, resume and cancel; a cancelled file leaves nothing behind', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups, { bob: { autoAcceptBytes: 1024 * MIB } });
    const path = join(pair.dir, 'pause.bin');
    await writeTestFile(path, 64 * MIB, 9);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    const inId = `in:${fileId}`;
    const bytes = () => transfer(pair.bob, (t) => t.id === inId)?.bytesDone ?? 0;
    await until(() => bytes() > 4 * MIB, 20_000, 'transfer started');
    await pair.bob.files.pause(inId);
    const outId = `out:${fileId}:${pair.bobUser.account.deviceId}`;
    await until(
      () => transfer(pair.alice, (t) => t.id === outId)?.pausedBy === 'peer',
      5_000,
      'sender sees the pause',
    );
    await new Promise((r) => setTimeout(r, 300));
    const paused = bytes();
    await new Promise((r) => setTimeout(r, 500));
    expect(bytes()).toBe(paused);
    expect(paused).toBeLessThan(64 * MIB);
    await pair.bob.files.resume(inId);
    await until(() => bytes() > paused, 10_000, 'transfer moves again');
    // The sender cancels: the receiver shows it and throws the partial file away.
    await pair.alice.files.cancel(outId);
    const cancelled = await waitFor(pair.bob, finished(fileId), 10_000, 'receiver sees cancel');
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.error).toBe('FILE_CANCELLED_BY_PEER');
    await until(() => !existsSync(join(pair.inbox, `${fileId}.part`)), 5_000, 'partial removed');
  }, 60_000);
});
