/**
 * Where a receiver decrypts consecutive fresh chunks: straight into one
 * buffer (the sink's, when it lends them) that is then written as one, so
 * there is no plaintext array per chunk and no copy into the sink (a fresh
 * 64 KiB ArrayBuffer costs ~40 µs in Chromium, a copy into a warm one ~2 µs).
 * The caller writes every batch it takes, in order: its chunks are already
 * hashed, so each must land on disk.
 */
import type { FileSink } from './file-io.ts';

export interface Batch {
  offset: number;
  buffer: Uint8Array;
  /** Bytes of `buffer` filled, from its start. */
  bytes: number;
}

export class PlaintextBatch {
  readonly #sink: FileSink;
  readonly #batchBytes: number;
  readonly #fileBytes: number;
  #open: Batch | null = null;

  constructor(sink: FileSink, batchBytes: number, fileBytes: number) {
    this.#sink = sink;
    this.#batchBytes = batchBytes;
    this.#fileBytes = fileBytes;
  }

  /**
   * Room for the `length` bytes at `offset`, in the open batch when they
   * follow on and fit, else in a new one; `ended` is the batch that this
   * closed (a gap, or full), for the caller to write before anything after.
   */
  room(offset: number, length: number): { target: Uint8Array; ended: Batch | null } {
    let ended: Batch | null = null;
    const open = this.#open;
    if (open && (offset !== open.offset + open.bytes || open.bytes + length > open.buffer.length))
      ended = this.take();
    if (!this.#open) {
      // No bigger than what is left of the file: a 2 KB file takes no 1 MiB buffer.
      const bytes = Math.max(length, Math.min(this.#batchBytes, this.#fileBytes - offset));
      this.#open = { offset, buffer: this.#sink.lend?.(bytes) ?? new Uint8Array(bytes), bytes: 0 };
    }
    const batch = this.#open as Batch;
    return { target: batch.buffer.subarray(batch.bytes, batch.bytes + length), ended };
  }

  /** The room last given out now holds a chunk that opened. */
  filled(length: number): void {
    if (this.#open) this.#open.bytes += length;
  }

  /** Closes the open batch; null when there is none or it holds nothing. */
  take(): Batch | null {
    const batch = this.#open;
    this.#open = null;
    return batch && batch.bytes > 0 ? batch : null;
  }

  /** The transfer failed: nothing more is written. */
  drop(): void {
    this.#open = null;
  }
}
