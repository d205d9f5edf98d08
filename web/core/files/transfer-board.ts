/**
 * Every transfer the UI shows, per file and recipient, as one signal:
 * bytes, rate, time left, state. Progress arrives per chunk; the signal is
 * published at most every PUBLISH_INTERVAL_MS so a fast transfer does not
 * re-render the list thousands of times a second.
 */
import { type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import type { FileTransferCode } from './file-errors.ts';

export type TransferState =
  /** Incoming, above the auto-accept size: waits for accept or decline. */
  | 'offered'
  /** Accepted (or requested by the recipient) and waiting for a link. */
  | 'waiting'
  /**
   * Incoming: the sender's device is there but cannot read the file right
   * now (it restarted and the file is not re-attached yet). Kept, not
   * cancelled: it resumes from the resume point once the sender has it.
   */
  | 'waiting-for-sender'
  /**
   * Outgoing: the recipient asks, but after a restart this device could not
   * reopen the file: it is in `files.needsSource` until `files.reattach`.
   */
  | 'needs-source'
  | 'active'
  | 'paused'
  /** Incoming: verified against the signed hash and saved. Outgoing: the recipient said so. */
  | 'complete'
  | 'declined'
  | 'cancelled'
  | 'failed';

export interface TransferView {
  /** `in:<fileId>` or `out:<fileId>:<deviceId>`. */
  id: string;
  fileId: string;
  convId: string;
  direction: 'in' | 'out';
  peerDevice: string;
  name: string;
  mime: string;
  size: number;
  bytesDone: number;
  rateBytesPerSec: number;
  /** Null while the rate is unknown or the transfer is not moving. */
  etaMs: number | null;
  state: TransferState;
  pausedBy: 'me' | 'peer' | null;
  error: FileTransferCode | null;
  /** Incoming, once complete: where the sink put it. */
  savedAs: string | null;
  /** Outgoing: segment streams started (a restarted segment counts again). */
  segmentsStarted: number;
}

/**
 * A file this device offered whose bytes it cannot read after a restart
 * (`files.needsSource`): the UI asks the person to pick it again and calls
 * `files.reattach(fileId, source)`, or `files.withdraw(fileId)`.
 */
export interface NeedsSourceView {
  fileId: string;
  convId: string;
  name: string;
  mime: string;
  size: number;
  /**
   * `not-kept`: nothing could be kept to reopen it (a picked File);
   * `unreadable`: the kept handle or path no longer opens (moved, deleted, no permission);
   * `changed`: it opens but its size or hash is not the offer's.
   */
  reason: 'not-kept' | 'unreadable' | 'changed';
  /** Devices waiting for it. */
  waitingDevices: string[];
}

const PUBLISH_INTERVAL_MS = 200;
/** Weight of the newest sample in the smoothed rate. */
const RATE_SMOOTHING = 0.3;

export class TransferBoard {
  readonly #views = new Map<string, TransferView>();
  readonly #rateAt = new Map<string, { t: number; bytes: number }>();
  readonly #signal: Signal<TransferView[]> = signal([]);
  readonly #needsSource: Signal<NeedsSourceView[]> = signal([]);
  #timer: ReturnType<typeof setTimeout> | null = null;

  get transfers(): ReadonlySignal<TransferView[]> {
    return this.#signal;
  }

  get needsSource(): ReadonlySignal<NeedsSourceView[]> {
    return this.#needsSource;
  }

  /** Puts (or replaces) a file in the needs-source list; null takes it out. */
  setNeedsSource(fileId: string, view: NeedsSourceView | null): void {
    const rest = this.#needsSource.value.filter((v) => v.fileId !== fileId);
    this.#needsSource.value = view ? [...rest, view] : rest;
  }

  get(id: string): TransferView | undefined {
    return this.#views.get(id);
  }

  put(view: TransferView): void {
    this.#views.set(view.id, view);
    this.#schedule();
  }

  update(id: string, patch: Partial<TransferView>): void {
    const view = this.#views.get(id);
    if (!view) return;
    const next = { ...view, ...patch };
    if (patch.bytesDone !== undefined) this.#measure(next);
    if (next.state !== 'active') {
      next.etaMs = null;
      next.rateBytesPerSec = next.state === 'complete' ? view.rateBytesPerSec : 0;
    }
    this.#views.set(id, next);
    // State changes show at once; byte counts are batched.
    if (patch.state && patch.state !== view.state) this.#publish();
    else this.#schedule();
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #measure(view: TransferView): void {
    const now = Date.now();
    const last = this.#rateAt.get(view.id);
    if (!last || now - last.t < PUBLISH_INTERVAL_MS) {
      if (!last) this.#rateAt.set(view.id, { t: now, bytes: view.bytesDone });
      return;
    }
    const sample = ((view.bytesDone - last.bytes) * 1000) / (now - last.t);
    view.rateBytesPerSec =
      view.rateBytesPerSec === 0
        ? sample
        : RATE_SMOOTHING * sample + (1 - RATE_SMOOTHING) * view.rateBytesPerSec;
    view.etaMs =
      view.rateBytesPerSec > 0
        ? Math.round(((view.size - view.bytesDone) * 1000) / view.rateBytesPerSec)
        : null;
    this.#rateAt.set(view.id, { t: now, bytes: view.bytesDone });
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#publish(), PUBLISH_INTERVAL_MS);
  }

  #publish(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#signal.value = [...this.#views.values()];
  }
}
