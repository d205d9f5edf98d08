/**
 * What one file card shows, from the engine's transfer board: the incoming
 * transfer of that file, or — on the device that shared it — every
 * recipient device's stream folded into one bar. Pure, so the unit tests
 * cover the folding.
 */
import type { TransferState, TransferView } from '../../core/files/transfer-board.ts';

export interface TransferSummary {
  direction: 'in' | 'out';
  /** Transfer ids the buttons act on (one incoming, or every outgoing stream). */
  ids: string[];
  state: TransferState;
  pausedBy: 'me' | 'peer' | null;
  bytesDone: number;
  size: number;
  rateBytesPerSec: number;
  etaMs: number | null;
  error: TransferView['error'];
  savedAs: string | null;
  /** Outgoing: recipient devices that have the whole file, of all that asked. */
  devicesDone: number;
  devicesTotal: number;
}

/** The order in which an outgoing file's streams decide the card's state: motion first. */
const OUTGOING_STATE_PRIORITY: TransferState[] = [
  'active',
  'waiting',
  'needs-source',
  'waiting-for-sender',
  'paused',
  'offered',
  'complete',
  'failed',
  'cancelled',
  'declined',
];

export function summarizeTransfers(
  fileId: string,
  transfers: readonly TransferView[],
): TransferSummary | null {
  const incoming = transfers.find((v) => v.direction === 'in' && v.fileId === fileId);
  if (incoming) {
    return {
      direction: 'in',
      ids: [incoming.id],
      state: incoming.state,
      pausedBy: incoming.pausedBy,
      bytesDone: incoming.bytesDone,
      size: incoming.size,
      rateBytesPerSec: incoming.rateBytesPerSec,
      etaMs: incoming.etaMs,
      error: incoming.error,
      savedAs: incoming.savedAs,
      devicesDone: incoming.state === 'complete' ? 1 : 0,
      devicesTotal: 1,
    };
  }
  const outgoing = transfers.filter((v) => v.direction === 'out' && v.fileId === fileId);
  if (outgoing.length === 0) return null;
  const state =
    OUTGOING_STATE_PRIORITY.find((s) => outgoing.some((v) => v.state === s)) ?? 'complete';
  const moving = outgoing.filter((v) => v.state === 'active');
  const etas = moving.map((v) => v.etaMs).filter((e): e is number => e !== null);
  const paused = outgoing.filter((v) => v.state === 'paused');
  return {
    direction: 'out',
    ids: outgoing.map((v) => v.id),
    state,
    pausedBy: paused.some((v) => v.pausedBy === 'me') ? 'me' : paused.length > 0 ? 'peer' : null,
    bytesDone: outgoing.reduce((sum, v) => sum + v.bytesDone, 0),
    size: outgoing.reduce((sum, v) => sum + v.size, 0),
    rateBytesPerSec: moving.reduce((sum, v) => sum + v.rateBytesPerSec, 0),
    etaMs: etas.length === moving.length && etas.length > 0 ? Math.max(...etas) : null,
    error: outgoing.find((v) => v.error !== null)?.error ?? null,
    savedAs: null,
    devicesDone: outgoing.filter((v) => v.state === 'complete').length,
    devicesTotal: outgoing.length,
  };
}

/** Started and not finished: the card shows a progress bar. */
export function isUnderway(state: TransferState): boolean {
  return (
    state === 'active' ||
    state === 'waiting' ||
    state === 'paused' ||
    state === 'waiting-for-sender' ||
    state === 'needs-source'
  );
}

/** Which buttons a card offers in a state. */
export function transferActions(summary: TransferSummary): {
  accept: boolean;
  decline: boolean;
  pause: boolean;
  resume: boolean;
  cancel: boolean;
} {
  const { state, direction, pausedBy } = summary;
  const running = isUnderway(state);
  return {
    accept: direction === 'in' && state === 'offered',
    decline: direction === 'in' && state === 'offered',
    pause: state === 'active' || state === 'waiting',
    // Only a pause of mine is mine to lift; the peer's pause is theirs.
    resume: state === 'paused' && pausedBy === 'me',
    // A file waiting to be picked again is withdrawn from its prompt instead (reattach-prompt.tsx).
    cancel: running && state !== 'needs-source',
  };
}
