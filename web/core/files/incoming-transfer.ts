/**
 * One file coming from its sender's device: decrypt each chunk of the
 * current segment, write it at its offset, acknowledge progress once it is
 * written (so the sender's window is also the receiver's disk backpressure),
 * and record each finished segment as the resume point. A chunk that fails
 * to decrypt ends that segment: its partial data is simply overwritten when
 * the segment is asked for again. The file counts as received only when the
 * bytes hash to the signed offer's hash: hashed as they are written when the
 * file arrives in one run, else (after a reload lost the hash state) read
 * back from the sink.
 *
 * A chunk the receiver already hashed is never written again: a re-fetched
 * segment could otherwise carry different (still authentic: the sender holds
 * the key) bytes for it, and the file on disk would differ from what was
 * hashed.
 *
 * A sender can also go quiet with the link still open (stuck mid-segment):
 * while data is expected, a watchdog asks again from the resume point after
 * `stall.timeoutMs` without any, and gives up (FILE_SENDER_STALLED) after
 * `stall.retries` such tries with nothing in between.
 */
import { FILES } from '../../../shared/crypto/constants.ts';
import { SegmentDecryptor } from '../../../shared/crypto/file-segments.ts';
import {
  FileHasher,
  type FileOffer,
  fileChunkCount,
  verifyFileHash,
} from '../../../shared/crypto/files.ts';
import { streamOverheadBytes } from '../../../shared/crypto/secretstream.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileSink } from './file-io.ts';
import type { FileMessage } from './file-messages.ts';
import { DEFAULT_FILE_SETTINGS } from './file-settings.ts';
import { type Batch, PlaintextBatch } from './plaintext-batch.ts';
import { type StallPolicy, StallWatchdog } from './stall-watchdog.ts';

/** Acknowledge every this many written chunks (1 MiB at 64 KiB): the sender's credit. */
export const ACK_EVERY_CHUNKS = 16;
/** Hash verification reads the finished file back this much at a time. */
const VERIFY_READ_BYTES = 1024 * 1024;

export interface IncomingHooks {
  send(m: FileMessage): void;
  /** A segment is written and acknowledged: persist the resume point. */
  segmentDone(nextSegment: number): void;
  progress(bytesDone: number): void;
  /** A chunk was rejected; the segment is being fetched again. */
  rejected(segment: number): void;
  finished(result: { savedAs: string } | { error: FileTransferError }): void;
  /** No data for the stall timeout: asking again (`attempt` of the allowed retries). */
  stalled?(attempt: number): void;
}

export class IncomingTransfer {
  readonly offer: FileOffer;
  readonly #sink: FileSink;
  readonly #hooks: IncomingHooks;
  /** First segment not yet written completely. */
  #nextSegment: number;
  #decryptor: SegmentDecryptor | null = null;
  /** The segment we asked for and whose header we wait for; chunks before it are stale. */
  #expecting: number | null = null;
  #chunkInSegment = 0;
  #bytesWritten: number;
  #writes: Promise<void> = Promise.resolve();
  /** Fresh chunks are decrypted into it and written a batch (up to an ack point) at a time. */
  readonly #batch: PlaintextBatch;
  /** Hash of chunks [0, #hashedChunks) in order; null when this run did not start at 0. */
  #hasher: FileHasher | null;
  #hashedChunks = 0;
  #closed = false;
  readonly #watchdog: StallWatchdog;
  /** One past the furthest chunk decrypted in this run. */
  #furthestChunk = 0;
  rejectedChunks = 0;
  stallRequests = 0;

  constructor(
    offer: FileOffer,
    sink: FileSink,
    nextSegment: number,
    hooks: IncomingHooks,
    stall: StallPolicy = {
      timeoutMs: DEFAULT_FILE_SETTINGS.stallTimeoutMs,
      retries: DEFAULT_FILE_SETTINGS.stallRetries,
    },
  ) {
    this.offer = offer;
    this.#watchdog = new StallWatchdog(
      stall,
      (attempt) => {
        this.stallRequests += 1;
        this.#hooks.stalled?.(attempt);
        this.#requestFrom(this.#nextSegment);
      },
      () => this.#fail(new FileTransferError('FILE_SENDER_STALLED')),
    );
    this.#sink = sink;
    this.#batch = new PlaintextBatch(sink, ACK_EVERY_CHUNKS * offer.chunkSize, offer.size);
    this.#nextSegment = nextSegment;
    this.#bytesWritten = Math.min(
      offer.size,
      nextSegment * FILES.chunksPerSegment * offer.chunkSize,
    );
    this.#hooks = hooks;
    this.#hasher = nextSegment === 0 ? new FileHasher() : null;
  }

  get nextSegment(): number {
    return this.#nextSegment;
  }

  get bytesDone(): number {
    return this.#bytesWritten;
  }

  /** (Re)starts the flow from the first unfinished segment: on accept, link open, resume. */
  request(): void {
    this.#requestFrom(this.#nextSegment);
  }

  #requestFrom(segment: number): void {
    if (this.#closed || segment >= this.offer.segments) return;
    this.#resetSegment();
    this.#expecting = segment;
    this.#hooks.send({ t: 'request', fileId: this.offer.fileId, segment });
    this.watch();
  }

  /** The link went away: whatever is mid-segment is abandoned. */
  linkLost(): void {
    this.#resetSegment();
    this.#expecting = null;
    this.unwatch();
  }

  /** Data is expected from now on (asked, resumed from a pause, the sender has the file again). */
  watch(): void {
    if (this.#closed || this.#nextSegment >= this.offer.segments) return;
    this.#watchdog.watch();
  }

  /** Silence is expected (paused, the sender said it cannot read the file yet, link lost). */
  unwatch(): void {
    this.#watchdog.unwatch();
  }

  onHeader(segment: number, header: Uint8Array): void {
    if (this.#closed) return;
    // A new segment while ours is open: ours was cut short (no FINAL).
    if (this.#decryptor) {
      this.#truncated();
      return;
    }
    if (segment !== this.#expecting) return;
    this.#watchdog.activity();
    const created = SegmentDecryptor.create(this.offer, segment, header);
    if (!created.ok) {
      this.#reject(segment);
      return;
    }
    this.#decryptor = created.value;
    this.#chunkInSegment = 0;
    this.#expecting = null;
  }

  onChunk(segment: number, chunk: Uint8Array): void {
    const decryptor = this.#decryptor;
    if (this.#closed || !decryptor) return;
    if (decryptor.segment !== segment) {
      this.#truncated();
      return;
    }
    const index = segment * FILES.chunksPerSegment + this.#chunkInSegment;
    const fresh = !this.#hasher || index >= this.#hashedChunks;
    const offset = index * this.offer.chunkSize;
    const length = chunk.length - streamOverheadBytes();
    let target: Uint8Array | null = null;
    if (fresh && length > 0 && length <= this.offer.chunkSize) {
      const room = this.#batch.room(offset, length);
      this.#writeBatch(room.ended);
      target = room.target;
    }
    const opened = target
      ? decryptor.decryptChunkInto(chunk, target)
      : decryptor.decryptChunk(chunk);
    if (!opened.ok) {
      this.#reject(segment);
      return;
    }
    if (target) this.#batch.filled(length);
    this.#chunkInSegment += 1;
    const written = this.#chunkInSegment;
    // Only new ground counts as progress: a sender that stalls at the same place every time gives out.
    if (index >= this.#furthestChunk) {
      this.#furthestChunk = index + 1;
      this.#watchdog.progress();
    } else this.#watchdog.activity();
    const { plaintext, last } = opened.value;
    if (last) {
      this.#decryptor = null;
      this.#expecting = segment + 1 < this.offer.segments ? segment + 1 : null;
    }
    if (this.#hasher && index === this.#hashedChunks) {
      this.#hasher.update(plaintext);
      this.#hashedChunks += 1;
    }
    // A fresh chunk that did not fit a batch (never on the chunk path) is written on its own.
    const alone = fresh && !target ? plaintext : null;
    const batch = last || written % ACK_EVERY_CHUNKS === 0 ? this.#batch.take() : null;
    this.#writes = this.#writes
      .then(async () => {
        if (alone) await this.#sink.write(offset, alone);
        if (batch) await this.#sink.write(batch.offset, batch.buffer.subarray(0, batch.bytes));
        if (last) await this.#sink.flush?.();
        this.#written(segment, written, last);
      })
      .catch((error: unknown) => this.#fail(error));
  }

  /** Queues a batch's write now (a gap, a reset): its chunks are hashed, so they must land. */
  #writeBatch(batch: Batch | null): void {
    if (!batch) return;
    this.#writes = this.#writes
      .then(() => this.#sink.write(batch.offset, batch.buffer.subarray(0, batch.bytes)))
      .catch((error: unknown) => this.#fail(error));
  }

  async close(discard: boolean): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.unwatch();
    this.#resetSegment();
    this.#dropHasher();
    await this.#writes.catch(() => undefined);
    if (discard) await this.#sink.discard().catch(() => undefined);
    else await this.#sink.close().catch(() => undefined);
  }

  #written(segment: number, chunks: number, last: boolean): void {
    if (this.#closed) return;
    const fileId = this.offer.fileId;
    // A slow disk holds the acks, and so the sender: that is not the sender stalling.
    this.#watchdog.activity();
    const through = (segment * FILES.chunksPerSegment + chunks) * this.offer.chunkSize;
    this.#bytesWritten = Math.min(this.offer.size, through);
    if (last) {
      this.#hooks.send({ t: 'ack', fileId, segment, chunks });
      this.#nextSegment = Math.max(this.#nextSegment, segment + 1);
      this.#hooks.segmentDone(this.#nextSegment);
      this.#hooks.progress(this.#bytesWritten);
      if (this.#nextSegment === this.offer.segments) {
        this.unwatch();
        void this.#verify();
      }
    } else if (chunks % ACK_EVERY_CHUNKS === 0) {
      this.#hooks.send({ t: 'ack', fileId, segment, chunks });
      this.#hooks.progress(this.#bytesWritten);
    }
  }

  async #verify(): Promise<void> {
    const whole = this.#hashedChunks === fileChunkCount(this.offer);
    const streamed = whole ? this.#hasher : null;
    if (whole) this.#hasher = null;
    else this.#dropHasher();
    const hasher = streamed ?? new FileHasher();
    try {
      for (let at = 0; !streamed && at < this.offer.size; at += VERIFY_READ_BYTES) {
        hasher.update(await this.#sink.read(at, Math.min(VERIFY_READ_BYTES, this.offer.size - at)));
      }
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (!verifyFileHash(this.offer, hasher.digest())) {
      this.#closed = true;
      await this.#sink.discard().catch(() => undefined);
      this.#hooks.finished({ error: new FileTransferError('FILE_HASH_MISMATCH') });
      return;
    }
    try {
      const savedAs = await this.#sink.commit();
      this.#closed = true;
      this.#hooks.finished({ savedAs });
    } catch (error) {
      this.#fail(error);
    }
  }

  #truncated(): void {
    const segment = this.#decryptor?.segment;
    if (segment === undefined) return;
    this.#decryptor?.finish();
    this.#reject(segment);
  }

  #reject(segment: number): void {
    this.rejectedChunks += 1;
    this.#hooks.rejected(segment);
    // Every earlier segment decrypted whole (its writes are queued): fetch only this one again.
    this.#requestFrom(segment);
  }

  #dropHasher(): void {
    // libsodium frees a hash state only when it is finished.
    this.#hasher?.digest();
    this.#hasher = null;
  }

  #resetSegment(): void {
    this.#writeBatch(this.#batch.take());
    this.#decryptor?.close();
    this.#decryptor = null;
    this.#chunkInSegment = 0;
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#batch.drop();
    this.unwatch();
    this.#dropHasher();
    const failure =
      error instanceof FileTransferError
        ? error
        : new FileTransferError(
            'FILE_SINK_WRITE',
            error instanceof Error ? error.message : undefined,
          );
    void this.#sink.discard().catch(() => undefined);
    this.#hooks.finished({ error: failure });
  }
}
