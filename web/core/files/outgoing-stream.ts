/**
 * One file going to one recipient device: which segment and chunk come
 * next, how many bytes are unacknowledged (the credit window), who paused
 * it. The recipient drives with requests (start, resume after a lost link
 * or a reload, re-fetch after a rejected chunk); each request restarts
 * that segment with a fresh secretstream, so nothing of an interrupted
 * stream is reused. The source is read a block at a time, never whole.
 */
import { FILES } from '../../../shared/crypto/constants.ts';
import { SegmentEncryptor, sealedChunkBytes } from '../../../shared/crypto/file-segments.ts';
import { type FileOffer, fileChunkCount } from '../../../shared/crypto/files.ts';
import { BlockReader } from './block-reader.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileSource } from './file-io.ts';
import { ChunkMessageEncoder, encodeFileMessage, type FileMessage } from './file-messages.ts';

/**
 * Test hook: lets a test play a malicious or broken sender that alters a
 * chunk on the wire, or (null) never sends it. `chunk` is only valid during
 * the call (its buffer carries the next chunk too): copy it to keep it.
 */
export type ChunkMutator = (
  fileId: string,
  segment: number,
  index: number,
  chunk: Uint8Array,
) => Uint8Array | null;

export class OutgoingStream {
  readonly id: string;
  readonly deviceId: string;
  readonly offer: FileOffer;
  /** Null while the file is not readable (restarted, not re-attached yet). */
  #source: FileSource | null;
  readonly #mutate: ChunkMutator | undefined;
  #encryptor: SegmentEncryptor | null = null;
  /** File-wide index of the next chunk to send, and of the first unacknowledged one. */
  #nextChunk = 0;
  #ackedChunk = 0;
  /** The source read a block at a time, the next block read ahead. */
  readonly #blocks: BlockReader;
  readonly #chunkMessages: ChunkMessageEncoder;
  /** The recipient asked for data and has not been cut off since (link loss). */
  requested = false;
  pausedByMe = false;
  pausedByPeer = false;
  finished = false;
  segmentsStarted = 0;

  constructor(
    deviceId: string,
    offer: FileOffer,
    source: FileSource | null,
    mutate?: ChunkMutator,
  ) {
    this.id = `out:${offer.fileId}:${deviceId}`;
    this.deviceId = deviceId;
    this.offer = offer;
    this.#source = source;
    this.#mutate = mutate;
    this.#chunkMessages = new ChunkMessageEncoder(offer.fileId);
    this.#blocks = new BlockReader(offer);
  }

  get #totalChunks(): number {
    return fileChunkCount(this.offer);
  }

  /** Bytes sent and not yet acknowledged as written by the recipient. */
  get inFlightBytes(): number {
    return (this.#nextChunk - this.#ackedChunk) * this.offer.chunkSize;
  }

  get bytesAcked(): number {
    return Math.min(this.offer.size, this.#ackedChunk * this.offer.chunkSize);
  }

  get hasSource(): boolean {
    return this.#source !== null;
  }

  /** The file is readable again (re-attached after a restart): reads come from here. */
  attach(source: FileSource): void {
    this.#source = source;
    this.#blocks.forget();
  }

  /** Wants to send and may: requested, readable, not paused, not done. (Window and link are the pump's.) */
  get wantsToSend(): boolean {
    return (
      this.requested &&
      this.#source !== null &&
      !this.pausedByMe &&
      !this.pausedByPeer &&
      !this.finished &&
      this.#nextChunk < this.#totalChunks
    );
  }

  /** The recipient asked for `segment` onwards: restart there with a fresh stream. */
  restartAt(segment: number): boolean {
    if (!Number.isSafeInteger(segment) || segment < 0 || segment >= this.offer.segments)
      return false;
    this.#encryptor?.close();
    this.#encryptor = null;
    this.#nextChunk = segment * FILES.chunksPerSegment;
    this.#ackedChunk = this.#nextChunk;
    this.requested = true;
    return true;
  }

  /** Progress from the recipient; acks for another segment than the current stream's are stale. */
  acked(segment: number, chunks: number): void {
    const at = segment * FILES.chunksPerSegment + chunks;
    if (at > this.#ackedChunk && at <= this.#nextChunk) this.#ackedChunk = at;
  }

  /** The link went away: nothing is sent until the recipient asks again. */
  linkLost(): void {
    this.requested = false;
    this.#encryptor?.close();
    this.#encryptor = null;
    this.#blocks.forget();
  }

  /** The next messages to send: a segment header when one starts, then one chunk. */
  async next(): Promise<FileMessage[]> {
    const step = await this.#step();
    const out: FileMessage[] = [];
    if (step.header) out.push(step.header);
    if (step.chunk) {
      const { segment, chunk } = step.chunk;
      out.push({ t: 'chunk', fileId: this.offer.fileId, segment, chunk });
    }
    return out;
  }

  /**
   * `next()` as the link sends it: each chunk message built in place, never
   * re-framed. The arrays are only valid until the next call (the chunk's
   * buffer is reused): send them before asking again.
   */
  async nextEncoded(): Promise<Uint8Array[]> {
    // The send pump seals (copies) each message before it asks again: one chunk buffer serves them all.
    const step = await this.#step(true);
    const out: Uint8Array[] = [];
    if (step.header) out.push(encodeFileMessage(step.header));
    if (step.chunk) {
      const { segment, chunk, bytes } = step.chunk;
      out.push(
        bytes ?? encodeFileMessage({ t: 'chunk', fileId: this.offer.fileId, segment, chunk }),
      );
    }
    return out;
  }

  /**
   * Encrypts the next chunk straight into the message that carries it.
   * `bytes` is that message, or null when the test mutator swapped the chunk
   * for another array (which then has to be framed on its own).
   */
  async #step(reuseMessage = false): Promise<{
    header: FileMessage | null;
    chunk: { segment: number; chunk: Uint8Array; bytes: Uint8Array | null } | null;
  }> {
    const index = this.#nextChunk;
    const segment = Math.floor(index / FILES.chunksPerSegment);
    const fileId = this.offer.fileId;
    let header: FileMessage | null = null;
    if (!this.#encryptor || this.#encryptor.segment !== segment) {
      this.#encryptor?.close();
      const created = SegmentEncryptor.create(this.offer, segment);
      if (!created.ok) throw new FileTransferError(created.code);
      this.#encryptor = created.value;
      this.segmentsStarted += 1;
      header = { t: 'header', fileId, segment, header: created.value.header };
    }
    const plaintext = await this.#blocks.chunk(this.#source, index);
    // A request or link loss may have come in while we read: that stream is gone.
    if (this.#nextChunk !== index || this.#encryptor?.segment !== segment) {
      return { header: null, chunk: null };
    }
    const message = this.#chunkMessages.allocate(
      segment,
      sealedChunkBytes(plaintext.length),
      reuseMessage,
    );
    const sealed = this.#encryptor.encryptChunkInto(plaintext, message.chunk);
    if (!sealed.ok) throw new FileTransferError(sealed.code);
    this.#nextChunk = index + 1;
    if (!this.#mutate)
      return { header, chunk: { segment, chunk: message.chunk, bytes: message.bytes } };
    const inSegment = index - segment * FILES.chunksPerSegment;
    const chunk = this.#mutate(fileId, segment, inSegment, message.chunk);
    if (!chunk) return { header, chunk: null };
    return {
      header,
      chunk: { segment, chunk, bytes: chunk === message.chunk ? message.bytes : null },
    };
  }

  close(): void {
    this.finished = true;
    this.#encryptor?.close();
    this.#encryptor = null;
    this.#blocks.close();
  }
}
