/**
 * Issue #6, file sharing: a 20 MB file shared in a room arrives
 * byte-identical (SHA-256 of what the receiver saves through "Save" against
 * the original), and the receiver watches it come in (a progress bar named
 * by the file with values between 0 and 100, and "{done} of {total} ·
 * {rate}/s · {time} left").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { attachFiles } from './support/actions.ts';
import { E2E_TIMEOUTS, type Parley, type Person, startParley } from './support/parley.ts';
import { progressSamples, recordProgress } from './support/progress-recorder.ts';
import { randomFile, roomWith, sha256File, signedUpPeople } from './support/scenarios.ts';

vi.setConfig(E2E_TIMEOUTS);

const FILE_BYTES = 20 * 1024 * 1024;
const FILE_NAME = 'holiday-video-20MB.bin';
/** 20 MB through encryption, a data channel and OPFS on a busy 2-core box. */
const TRANSFER_MS = 120_000;

let parley: Parley;
let alice: Person;
let bob: Person;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-e2e-files-'));
  parley = await startParley('file-transfer');
  [alice, bob] = (await signedUpPeople(parley, ['alice', 'bob'])) as [Person, Person];
  await roomWith([alice, bob], 'files');
});

afterAll(async () => {
  await parley?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sharing a file', () => {
  it('a 20 MB file arrives byte-identical, with its progress shown on the way', {
    timeout: TRANSFER_MS + 60_000,
  }, async () => {
    const original = randomFile(dir, FILE_NAME, FILE_BYTES);
    await recordProgress(bob.page);
    await recordProgress(alice.page);

    await attachFiles(alice.page, [original.path]);

    const atBob = bob.page
      .getByRole('log', { name: 'Messages' })
      .getByRole('group', { name: FILE_NAME, exact: true });
    await atBob.waitFor({ timeout: TRANSFER_MS });
    // Up to the auto-accept size (25 MiB) the engine fetches at once; a UI
    // that asks anyway must offer "Accept".
    const save = atBob.getByRole('button', { name: 'Save', exact: true });
    const accept = atBob.getByRole('button', { name: 'Accept', exact: true });
    await save.or(accept).first().waitFor({ timeout: TRANSFER_MS });
    if (await accept.isVisible()) await accept.click();
    await save.waitFor({ timeout: TRANSFER_MS });

    const samples = (await progressSamples(bob.page)).filter((s) => s.name === FILE_NAME);
    const values = samples
      .map((s) => (s.valueNow === null ? Number.NaN : Number(s.valueNow)))
      .filter((v) => Number.isFinite(v));
    expect(samples.length, 'a progressbar named by the file was rendered').toBeGreaterThan(0);
    expect(
      values.some((v) => v > 0 && v < 100),
      `an intermediate aria-valuenow was rendered (seen: ${[...new Set(values)].join(', ')})`,
    ).toBe(true);
    expect(
      samples.some((s) => /\S+ of \S+.*·.*\/s.*·.*left/.test(s.text)),
      `"{done} of {total} · {rate}/s · {time} left" was shown (seen e.g.: ${JSON.stringify(samples.slice(0, 3).map((s) => s.text))})`,
    ).toBe(true);

    // In Chromium "Save" opens the File System Access save picker, a native
    // dialog no automation can answer (it never produces a download). Without
    // the picker the app falls back to a plain download (what Firefox and
    // Safari users get), which the test can catch and hash.
    await bob.page.evaluate(() => {
      (globalThis as { showSaveFilePicker?: unknown }).showSaveFilePicker = undefined;
    });
    const downloadPromise = bob.page.waitForEvent('download', { timeout: TRANSFER_MS });
    await save.click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toBe(FILE_NAME);
    const savedPath = join(dir, `saved-${FILE_NAME}`);
    await download.saveAs(savedPath);
    expect(await sha256File(savedPath)).toBe(original.sha256);
  });

  it('the sender sees it too, and nothing left for another host', async () => {
    await alice.page
      .getByRole('log', { name: 'Messages' })
      .getByRole('group', { name: FILE_NAME, exact: true })
      .waitFor({ timeout: TRANSFER_MS });
    parley.assertClean();
  });
});
