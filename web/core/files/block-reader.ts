/**
 * A sender's reads of its file: a block of chunks at a time (never across a
 * segment's end or the file's), and the block after it read ahead while
 * this one is encrypted and sent. A source read (a Blob read is a round
 * trip through the browser process) otherwise sat on the send path once per
 * block, long enough for the data channel's queue, refilled only from
 * 256 KiB, to run dry (P4: 2 % of chunk sends found it empty, none since).
 */
import { FILES } from '../../../shared/crypto/constants.ts';
import {
  expectedChunkBytes,
  type FileOffer,
  fileChunkCount,
} from '../../../shared/crypto/files.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileSource } from './file-io.ts';

/**
 * Chunks read from the source at once: fewer reads, still bounded memory
 * (4 MiB at 64 KiB, two blocks with the read-ahead). 4 MiB blocks instead of
 * 1 MiB cut the sender page's CPU ~6 % and the browser IO thread's ~20 % in P4.
 */
const READ_BLOCK_CHUNKS = 64;
/** The fewest chunks a block holds, however many streams are sending. */
const MIN_READ_BLOCK_CHUNKS = 16;
/**
 * Every stream's block buffers together (two each) stay near this: a file
 * sent to a room of 20 is 20 streams, which must not hold 20 × 8 MiB.
 */
const READ_BUFFERS_BUDGET_BYTES = 32 * 1024 * 1024;
/** Readers open in this page (one per stream). */
let liveReaders = 0;

export class BlockReader {
  readonly #offer: FileOffer;
  readonly #totalChunks: number;
  #block: { first: number; bytes: Uint8Array } | null = null;
  /** The block after `#block`, being read (or read) already. */
  #ahead: { first: number; bytes: Promise<Uint8Array> } | null = null;
  /** Reused block buffers when the source can `readInto`: two, so one can fill while the other is sent. */
  readonly #buffers: Uint8Array[] = [];
  /** Buffers a `readInto` is writing right now (not to be handed out or read into again). */
  readonly #readsInto = new Set<Uint8Array>();
  /** Chunks per block, fixed for this reader (block boundaries must not move). */
  readonly #blockChunks: number;
  #closed = false;

  constructor(offer: FileOffer) {
    this.#offer = offer;
    this.#totalChunks = fileChunkCount(offer);
    liveReaders += 1;
    const fit = Math.floor(READ_BUFFERS_BUDGET_BYTES / (2 * offer.chunkSize * liveReaders));
    this.#blockChunks = Math.max(MIN_READ_BLOCK_CHUNKS, Math.min(READ_BLOCK_CHUNKS, fit));
  }

  /**
   * The plaintext of chunk `index`, valid until the next call (its buffer
   * may be read into again): encrypt it (which copies it) before asking for
   * another. Throws FILE_SOURCE_READ.
   */
  async chunk(source: FileSource | null, index: number): Promise<Uint8Array> {
    const { chunkSize } = this.#offer;
    const length = expectedChunkBytes(this.#offer, index);
    const block = this.#block;
    if (block && index >= block.first && index < block.first + block.bytes.length / chunkSize + 1) {
      const start = (index - block.first) * chunkSize;
      if (start + length <= block.bytes.length) {
        if (index === block.first)
          this.#readAhead(source, block.first + Math.ceil(block.bytes.length / chunkSize));
        return block.bytes.subarray(start, start + length);
      }
    }
    const ahead = this.#ahead?.first === index ? this.#ahead : null;
    this.#ahead = null;
    const [offset, end] = this.#blockRange(index);
    let bytes: Uint8Array;
    try {
      if (!source) throw new Error('no source');
      // The block about to be replaced must not be served meanwhile (its buffer may be read into).
      this.#block = null;
      bytes = await (ahead?.bytes ?? this.#read(source, offset, end - offset));
    } catch (error) {
      throw new FileTransferError(
        'FILE_SOURCE_READ',
        error instanceof Error ? error.message : undefined,
      );
    }
    if (bytes.length !== end - offset)
      throw new FileTransferError('FILE_SOURCE_READ', 'short read');
    this.#block = { first: index, bytes };
    this.#readAhead(source, index + Math.ceil(bytes.length / chunkSize));
    return bytes.subarray(0, length);
  }

  /** What was read is stale (another source attached, the link lost): read afresh. */
  forget(): void {
    this.#block = null;
    this.#ahead = null;
  }

  close(): void {
    this.forget();
    this.#buffers.length = 0;
    if (!this.#closed) liveReaders -= 1;
    this.#closed = true;
  }

  /** Bytes [offset, end) of the block starting at chunk `index`. */
  #blockRange(index: number): [number, number] {
    const { chunkSize } = this.#offer;
    const segmentEnd = (Math.floor(index / FILES.chunksPerSegment) + 1) * FILES.chunksPerSegment;
    const last = Math.min(index + this.#blockChunks, segmentEnd, this.#totalChunks);
    return [index * chunkSize, Math.min(this.#offer.size, last * chunkSize)];
  }

  /** Starts reading the block at chunk `first` (the one after the block being sent), once. */
  #readAhead(source: FileSource | null, first: number): void {
    if (!source || this.#ahead?.first === first || first >= this.#totalChunks) return;
    const [offset, end] = this.#blockRange(first);
    const bytes = this.#read(source, offset, end - offset);
    // Failures surface when the block is needed (as FILE_SOURCE_READ), or never if it is not.
    bytes.catch(() => undefined);
    this.#ahead = { first, bytes };
  }

  /**
   * Into a reused buffer when the source can and one is free: not backing the
   * block being sent and not being read into (a read-ahead nobody waits for
   * any more may still be writing its buffer).
   */
  async #read(source: FileSource, offset: number, length: number): Promise<Uint8Array> {
    // No bigger than the file: a small file's stream holds no 4 MiB buffers.
    const capacity = Math.min(this.#blockChunks * this.#offer.chunkSize, this.#offer.size);
    if (!source.readInto || length > capacity) return source.read(offset, length);
    const sent = this.#block?.bytes.buffer;
    let buffer = this.#buffers.find((b) => b.buffer !== sent && !this.#readsInto.has(b));
    if (!buffer && this.#buffers.length < 2) {
      buffer = new Uint8Array(capacity);
      this.#buffers.push(buffer);
    }
    if (!buffer) return source.read(offset, length);
    const target = buffer.subarray(0, length);
    this.#readsInto.add(buffer);
    try {
      await source.readInto(offset, target);
    } finally {
      this.#readsInto.delete(buffer);
    }
    return target;
  }
}
