/**
 * The sender reloads mid-transfer: its offers are kept (encrypted kv), the
 * file is reopened (or picked again by the person) and checked against the
 * offer, and the receiver, which waited instead of cancelling, resumes from
 * its last acknowledged segment.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileTransferError } from '../../web/core/files/file-errors.ts';
import { until } from '../support/engine-client.ts';
import {
  fileSha256,
  nodeFileSource,
  nodeSourceStore,
  writeTestFile,
} from '../support/node-file-io.ts';
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

describe('a sender that restarts mid-transfer', () => {
  it('the sender reloads mid-segment: its file is reopened from its path and the receiver resumes from its last acknowledged segment (same hash, at most two segments sent twice)', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups, {
      alice: { sources: nodeSourceStore() },
      bob: { autoAcceptBytes: 1024 * MIB },
    });
    const size = 6 * SEGMENT_BYTES + 777;
    const path = join(pair.dir, 'sender-restart.bin');
    await writeTestFile(path, size, 21);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    const inId = `in:${fileId}`;
    const outId = `out:${fileId}:${pair.bobUser.account.deviceId}`;
    await until(
      () => (transfer(pair.bob, (t) => t.id === inId)?.bytesDone ?? 0) >= 2.5 * SEGMENT_BYTES,
      30_000,
      'part of the file arrived',
    );
    // The board (not the batched signal) has the count up to the last chunk sent.
    const before = pair.alice.files.board.get(outId)?.segmentsStarted ?? 0;
    const alice = await pair.restartAlice();
    const done = await waitFor(pair.bob, finished(fileId), 60_000, 'resumed transfer finished');
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    const out = await waitFor(
      alice,
      (t) => t.id === outId && t.state === 'complete',
      5_000,
      'restarted sender saw it complete',
    );
    const segments = 7;
    const total = before + out.segmentsStarted;
    console.log(
      `[files] sender restart: ${before} + ${out.segmentsStarted} segment streams for ${segments} segments`,
    );
    expect(total).toBeGreaterThan(segments);
    expect(total).toBeLessThanOrEqual(segments + 2);
    expect(alice.files.needsSource.value).toEqual([]);
  }, 120_000);

  it('a file the restarted sender cannot reopen: the receiver waits, the sender lists it as needing its source, a different file is refused, the same file picked again completes the transfer', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    // No source store: like a browser File picked by the person, nothing reopens it.
    const pair = await filePair(relay, cleanups, { bob: { autoAcceptBytes: 1024 * MIB } });
    const size = 3 * SEGMENT_BYTES + 99;
    const path = join(pair.dir, 'picked.bin');
    await writeTestFile(path, size, 22);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    const inId = `in:${fileId}`;
    await until(
      () => (transfer(pair.bob, (t) => t.id === inId)?.bytesDone ?? 0) >= 1.2 * SEGMENT_BYTES,
      30_000,
      'part of the file arrived',
    );
    const alice = await pair.restartAlice();
    await waitFor(
      pair.bob,
      (t) => t.id === inId && t.state === 'waiting-for-sender',
      30_000,
      'receiver waits for the sender',
    );
    const bytesWhileWaiting = transfer(pair.bob, (t) => t.id === inId)?.bytesDone ?? 0;
    await until(() => alice.files.needsSource.value.length > 0, 10_000, 'sender lists it');
    const needed = alice.files.needsSource.value[0];
    expect(needed).toMatchObject({
      fileId,
      convId: pair.roomId,
      name: 'picked.bin',
      size,
      reason: 'not-kept',
      waitingDevices: [pair.bobUser.account.deviceId],
    });
    // Same size, other bytes: refused before a byte is served.
    const otherPath = join(pair.dir, 'other.bin');
    await writeTestFile(otherPath, size, 23);
    const other = await nodeFileSource(otherPath);
    cleanups.push(() => other.close?.());
    const refused = await alice.files.reattach(fileId, other).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FileTransferError);
    expect((refused as FileTransferError).code).toBe('FILE_SOURCE_MISMATCH');
    expect(transfer(pair.bob, (t) => t.id === inId)?.state).toBe('waiting-for-sender');
    // Still waiting, nothing lost (chunks that arrived before the restart may
    // still be landing on disk, so the count can only grow; the whole-file hash
    // below proves none of the refused file's bytes got in): then the right file.
    expect(transfer(pair.bob, (t) => t.id === inId)?.bytesDone).toBeGreaterThanOrEqual(
      bytesWhileWaiting,
    );
    const again = await nodeFileSource(path);
    cleanups.push(() => again.close?.());
    await alice.files.reattach(fileId, again);
    expect(alice.files.needsSource.value).toEqual([]);
    const done = await waitFor(pair.bob, finished(fileId), 60_000, 'transfer finished');
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
  }, 120_000);

  it('the restarted sender withdraws a file it cannot reopen: the waiting receiver is told and keeps nothing', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const pair = await filePair(relay, cleanups, { bob: { autoAcceptBytes: 1024 * MIB } });
    const path = join(pair.dir, 'withdrawn.bin');
    await writeTestFile(path, 2 * SEGMENT_BYTES + 5, 24);
    const source = await nodeFileSource(path);
    cleanups.push(() => source.close?.());
    const fileId = await pair.alice.shareFile(pair.roomId, source);
    const inId = `in:${fileId}`;
    await until(
      () => (transfer(pair.bob, (t) => t.id === inId)?.bytesDone ?? 0) > 0,
      30_000,
      'the transfer started',
    );
    const alice = await pair.restartAlice();
    await waitFor(
      pair.bob,
      (t) => t.id === inId && t.state === 'waiting-for-sender',
      30_000,
      'receiver waits for the sender',
    );
    await until(() => alice.files.needsSource.value.length > 0, 10_000, 'sender lists it');
    await alice.files.withdraw(fileId);
    expect(alice.files.needsSource.value).toEqual([]);
    const ended = await waitFor(pair.bob, finished(fileId), 10_000, 'receiver told');
    expect(ended.state).toBe('cancelled');
    expect(ended.error).toBe('FILE_CANCELLED_BY_PEER');
    await until(() => !existsSync(join(pair.inbox, `${fileId}.part`)), 5_000, 'partial removed');
    // Withdrawn for good: no longer kept (the room's only offer, so its kept list is gone).
    expect(await alice.history.kvGet(`files/out/${pair.roomId}`)).toBeUndefined();
  }, 90_000);
});
