/**
 * This device's sender-key epochs in one room, across restarts.
 *
 * Receivers keep one chain per (device, epoch) and ignore a second
 * distribution for an epoch they hold (it would rewind their replay window).
 * A device that started again at an epoch it had used before would hand out
 * a new chain key under an old name: its messages would never decrypt for
 * anyone who heard the old one. So every session starts at an epoch above
 * any this device used in the room before.
 *
 * Why a counter and not the chain state: storing the chain key at rest would
 * let whoever later unwraps the history store (stolen "remember this device"
 * key, a backup) derive every message key this device sends from then on, and
 * a restored older copy would re-use (epoch, n) pairs that receivers refuse as
 * replays. A counter holds no secret; a new chain per start costs one
 * distribution per member link, which a link open sends anyway.
 *
 * The kv holds a reservation: an epoch no lower than any this device has
 * used. Each start reserves a block ahead before its first distribution goes
 * out, and rotations extend it well before they reach its end, so a crash
 * between a rotation and its write cannot make the next start re-use an
 * epoch. The start is also never below the wall clock in seconds: a store
 * that lost the counter (restored, or written by a version without it)
 * still moves to a new epoch.
 */
import { fromUtf8, utf8 } from '../../shared/crypto/encoding.ts';
import type { HistoryStore } from './history/history-store.ts';

const KV_PREFIX = 'room-epoch/';
/** Epochs reserved ahead of the one in use; extended when half of it is left. */
const EPOCH_RESERVE_BLOCK = 64;
const MS_PER_SECOND = 1_000;

/** What the room session needs: where to start, and where it has got to. */
export interface EpochLedger {
  readonly start: number;
  /** The session moved to `epoch` (a rotation). */
  use(epoch: number): void;
}

export class RoomEpochs implements EpochLedger {
  readonly start: number;
  readonly #history: HistoryStore;
  readonly #key: string;
  readonly #reportError: (error: unknown) => void;
  #reserved: number;
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    history: HistoryStore,
    key: string,
    start: number,
    reportError: (error: unknown) => void,
  ) {
    this.#history = history;
    this.#key = key;
    this.start = start;
    this.#reserved = start + EPOCH_RESERVE_BLOCK;
    this.#reportError = reportError;
  }

  /** Reads the reservation, picks a fresh start and stores the next reservation before returning. */
  static async open(
    history: HistoryStore,
    roomId: string,
    opts: { now?: () => number; reportError?: (error: unknown) => void } = {},
  ): Promise<RoomEpochs> {
    const key = KV_PREFIX + roomId;
    const stored = parseEpoch(await history.kvGet(key));
    const clockFloor = Math.floor((opts.now ?? Date.now)() / MS_PER_SECOND);
    const start = Math.max(stored === null ? 0 : stored + 1, clockFloor);
    const reportError = opts.reportError ?? (() => {});
    const epochs = new RoomEpochs(history, key, start, reportError);
    try {
      await history.kvPut(key, utf8(String(epochs.#reserved)));
    } catch (error) {
      // The room still opens: the clock floor keeps the next start fresh unless
      // it restarts within the same second; the failure is reported.
      reportError(error);
    }
    return epochs;
  }

  use(epoch: number): void {
    if (epoch + EPOCH_RESERVE_BLOCK / 2 < this.#reserved) return;
    this.#reserved = epoch + EPOCH_RESERVE_BLOCK;
    const value = utf8(String(this.#reserved));
    // In order, each after the last: a lower reservation never lands last.
    const saved = this.#saving
      .catch(() => undefined)
      .then(() => this.#history.kvPut(this.#key, value));
    saved.catch(this.#reportError);
    this.#saving = saved;
  }

  /** Resolves once every reservation so far is on disk. */
  flush(): Promise<void> {
    return this.#saving;
  }
}

function parseEpoch(raw: Uint8Array | undefined): number | null {
  if (!raw) return null;
  const text = fromUtf8(raw);
  if (!/^\d{1,16}$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}
