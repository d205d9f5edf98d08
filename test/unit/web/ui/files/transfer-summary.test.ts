import { describe, expect, it } from 'vitest';
import type { TransferView } from '../../../../../web/core/files/transfer-board.ts';
import { fileKind, previewKind } from '../../../../../web/ui/files/file-kind.ts';
import { savedPathParts } from '../../../../../web/ui/files/saved-file.ts';
import {
  isUnderway,
  summarizeTransfers,
  transferActions,
} from '../../../../../web/ui/files/transfer-summary.ts';

function view(patch: Partial<TransferView>): TransferView {
  return {
    id: 'in:f1',
    fileId: 'f1',
    convId: 'c1',
    direction: 'in',
    peerDevice: 'd1',
    name: 'photo.png',
    mime: 'image/png',
    size: 1000,
    bytesDone: 0,
    rateBytesPerSec: 0,
    etaMs: null,
    state: 'offered',
    pausedBy: null,
    error: null,
    savedAs: null,
    segmentsStarted: 0,
    ...patch,
  };
}

const out = (device: string, patch: Partial<TransferView>) =>
  view({ id: `out:f1:${device}`, direction: 'out', peerDevice: device, ...patch });

describe('what a file card shows from the transfer board', () => {
  it('an incoming offer offers Accept and Decline, nothing else', () => {
    const s = summarizeTransfers('f1', [view({})]);
    expect(s?.state).toBe('offered');
    expect(transferActions(s ?? fail())).toEqual({
      accept: true,
      decline: true,
      pause: false,
      resume: false,
      cancel: false,
    });
  });

  it('a file nobody is moving has no summary', () => {
    expect(summarizeTransfers('f1', [view({ fileId: 'other', id: 'in:other' })])).toBeNull();
  });

  it('a running download can be paused and cancelled; my pause can be lifted, the peer’s cannot', () => {
    const active = summarizeTransfers('f1', [view({ state: 'active', bytesDone: 500 })]);
    expect(transferActions(active ?? fail())).toMatchObject({
      pause: true,
      resume: false,
      cancel: true,
    });
    const mine = summarizeTransfers('f1', [view({ state: 'paused', pausedBy: 'me' })]);
    expect(transferActions(mine ?? fail())).toMatchObject({
      pause: false,
      resume: true,
      cancel: true,
    });
    const theirs = summarizeTransfers('f1', [view({ state: 'paused', pausedBy: 'peer' })]);
    expect(transferActions(theirs ?? fail())).toMatchObject({
      pause: false,
      resume: false,
      cancel: true,
    });
  });

  it('a download waiting for its sender to reopen the file can still be cancelled', () => {
    const s = summarizeTransfers('f1', [view({ state: 'waiting-for-sender', bytesDone: 400 })]);
    expect(isUnderway(s?.state ?? 'failed')).toBe(true);
    expect(transferActions(s ?? fail())).toMatchObject({ pause: false, cancel: true });
  });

  it('a shared file waiting to be picked again says so before anything finished', () => {
    const s = summarizeTransfers('f1', [
      out('a', { state: 'complete' }),
      out('b', { state: 'needs-source' }),
    ]);
    expect(s?.state).toBe('needs-source');
  });

  it('finished transfers offer no transfer buttons', () => {
    for (const state of ['complete', 'declined', 'cancelled', 'failed'] as const) {
      const s = summarizeTransfers('f1', [view({ state })]);
      expect(Object.values(transferActions(s ?? fail())).some(Boolean)).toBe(false);
    }
  });

  it('a shared file folds every recipient device into one bar', () => {
    const s = summarizeTransfers('f1', [
      out('a', { state: 'complete', bytesDone: 1000 }),
      out('b', { state: 'active', bytesDone: 400, rateBytesPerSec: 100, etaMs: 6000 }),
      out('c', { state: 'active', bytesDone: 200, rateBytesPerSec: 50, etaMs: 16000 }),
    ]);
    expect(s).toMatchObject({
      direction: 'out',
      ids: ['out:f1:a', 'out:f1:b', 'out:f1:c'],
      state: 'active',
      bytesDone: 1600,
      size: 3000,
      rateBytesPerSec: 150,
      etaMs: 16000,
      devicesDone: 1,
      devicesTotal: 3,
    });
  });

  it('a shared file is complete once every recipient has it', () => {
    const s = summarizeTransfers('f1', [
      out('a', { state: 'complete' }),
      out('b', { state: 'complete' }),
    ]);
    expect(s).toMatchObject({ state: 'complete', devicesDone: 2, devicesTotal: 2 });
  });

  it('the time left of a shared file is unknown while any moving stream’s is', () => {
    const s = summarizeTransfers('f1', [
      out('a', { state: 'active', rateBytesPerSec: 10, etaMs: 1000 }),
      out('b', { state: 'active', rateBytesPerSec: 0, etaMs: null }),
    ]);
    expect(s?.etaMs).toBeNull();
  });
});

describe('file kinds and previews', () => {
  it('previews only images a browser decodes inertly, and audio and video', () => {
    expect(previewKind('image/png')).toBe('image');
    expect(previewKind('image/jpeg; charset=binary')).toBe('image');
    expect(previewKind('image/svg+xml')).toBeNull();
    expect(previewKind('audio/ogg')).toBe('audio');
    expect(previewKind('video/webm')).toBe('video');
    expect(previewKind('text/html')).toBeNull();
    expect(previewKind('application/pdf')).toBeNull();
  });

  it('names the kind of any file for its icon', () => {
    expect(fileKind('image/svg+xml')).toBe('image');
    expect(fileKind('application/pdf')).toBe('pdf');
    expect(fileKind('application/zip')).toBe('archive');
    expect(fileKind('text/plain')).toBe('text');
    expect(fileKind('application/octet-stream')).toBe('other');
  });

  it('reads a saved file only from a plain relative OPFS path', () => {
    expect(savedPathParts('parley-files/abc')).toEqual(['parley-files', 'abc']);
    expect(savedPathParts('parley-files/../secret')).toBeNull();
    expect(savedPathParts('/abs')).toBeNull();
    expect(savedPathParts('a//b')).toBeNull();
  });
});

function fail(): never {
  throw new Error('expected a summary');
}
