/**
 * A sender that goes quiet mid-segment with its link still open: the
 * receiver asks again from its resume point after the stall timeout, and
 * after the allowed retries reports FILE_SENDER_STALLED instead of waiting
 * forever.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSha256, nodeFileSource, writeTestFile } from '../support/node-file-io.ts';
import {
  filePair,
  fileTestCleanups,
  finished,
  MIB,
  SEGMENT_BYTES,
  waitFor,
} from './files-support.ts';
import { startTestRelay } from './relay/harness.ts';

/** Short for the test; the default is 15 s. */
const STALL_TIMEOUT_MS = 400;
const STALL_RETRIES = 2;
/** The sender falls silent from this chunk of segment 1 on. */
const SILENT_FROM_CHUNK = 10;
const cleanups = fileTestCleanups();

async function shareWithSilentSender(silentPasses: number) {
  const relay = await startTestRelay();
  cleanups.push(() => relay.destroy());
  const passes = { started: 0 };
  const pair = await filePair(relay, cleanups, {
    alice: {
      // Segment 1 is sent up to chunk 10, then nothing: a sender stuck mid-segment.
      mutateChunk: (_fileId, segment, index, chunk) => {
        if (segment !== 1) return chunk;
        if (index === 0) passes.started += 1;
        return index >= SILENT_FROM_CHUNK && passes.started <= silentPasses ? null : chunk;
      },
    },
    bob: {
      autoAcceptBytes: 1024 * MIB,
      stallTimeoutMs: STALL_TIMEOUT_MS,
      stallRetries: STALL_RETRIES,
    },
  });
  const path = join(pair.dir, 'stall.bin');
  await writeTestFile(path, 2 * SEGMENT_BYTES + 1_234, 31);
  const source = await nodeFileSource(path);
  cleanups.push(() => source.close?.());
  const fileId = await pair.alice.shareFile(pair.roomId, source);
  return { pair, path, fileId, passes };
}

describe('a sender that goes quiet mid-segment', () => {
  it('the receiver asks again from its resume point after the stall timeout, and the file completes', async () => {
    const { pair, path, fileId, passes } = await shareWithSilentSender(1);
    const started = Date.now();
    const done = await waitFor(pair.bob, finished(fileId), 30_000, 'transfer finished');
    expect(done.state).toBe('complete');
    expect(await fileSha256(done.savedAs as string)).toBe(await fileSha256(path));
    expect(passes.started).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS);
    const out = await waitFor(
      pair.alice,
      (t) => t.fileId === fileId && t.state === 'complete',
      5_000,
      'sender saw it complete',
    );
    // Three segments, and segment 1 once more after the stall.
    expect(out.segmentsStarted).toBe(4);
  }, 60_000);

  it('a sender that stays silent: after the retries the receiver fails with FILE_SENDER_STALLED and the sender is told', async () => {
    const { pair, fileId, passes } = await shareWithSilentSender(Number.POSITIVE_INFINITY);
    const started = Date.now();
    const failed = await waitFor(pair.bob, finished(fileId), 30_000, 'transfer gave up');
    const tookMs = Date.now() - started;
    console.log(
      `[files] silent sender: gave up after ${tookMs} ms (${STALL_TIMEOUT_MS} ms × ${STALL_RETRIES + 1})`,
    );
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe('FILE_SENDER_STALLED');
    // The first pass and one per retry.
    expect(passes.started).toBe(STALL_RETRIES + 1);
    expect(tookMs).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS * (STALL_RETRIES + 1));
    await waitFor(
      pair.alice,
      (t) => t.fileId === fileId && t.state === 'cancelled',
      5_000,
      'sender told',
    );
  }, 60_000);
});
