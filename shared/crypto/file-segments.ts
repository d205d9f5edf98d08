/**
 * The encrypted segments of a file transfer (CRYPTO.md "Files"): each
 * segment of 256 chunks is its own secretstream under `segKey_s = kdf(fileKey,
 * s, "filesegk")`, AD = frame(fileId, s, segments) on every chunk, TAG_FINAL
 * on its last chunk. See files.ts for the offer and what this detects.
 */
import { FILES, KDF_CONTEXT } from './constants.ts';
import { frame } from './encoding.ts';
import {
  expectedChunkBytes,
  type FileChunkError,
  type FileOffer,
  segmentChunkCount,
} from './files.ts';
import { fail, ok, type Result } from './result.ts';
import {
  freeStreamState,
  initPull,
  initPush,
  pull,
  pullInto,
  pushInto,
  STREAM_TAG,
  type StreamState,
  streamOverheadBytes,
} from './secretstream.ts';
import { sodium } from './sodium.ts';

const KEY_BYTES = 32;

function segmentKey(offer: FileOffer, segment: number): Uint8Array {
  return sodium().crypto_kdf_derive_from_key(
    KEY_BYTES,
    segment,
    KDF_CONTEXT.fileSegment,
    offer.fileKey,
  );
}

function segmentAd(offer: FileOffer, segment: number): Uint8Array {
  return frame(offer.fileId, segment, offer.segments);
}

/** Bytes of an encrypted chunk of `plaintextBytes`: the secretstream adds tag and MAC. */
export function sealedChunkBytes(plaintextBytes: number): number {
  return plaintextBytes + streamOverheadBytes();
}

function validSegment(offer: FileOffer, segment: number): boolean {
  return Number.isSafeInteger(segment) && segment >= 0 && segment < offer.segments;
}

/** Encrypts one segment: send `header`, then each `encryptChunk` output in order. */
export class SegmentEncryptor {
  readonly header: Uint8Array;
  readonly segment: number;
  readonly #offer: FileOffer;
  readonly #ad: Uint8Array;
  readonly #chunkCount: number;
  #state: StreamState | null;
  #chunksDone = 0;

  private constructor(offer: FileOffer, segment: number) {
    this.#offer = offer;
    this.segment = segment;
    this.#ad = segmentAd(offer, segment);
    this.#chunkCount = segmentChunkCount(offer, segment);
    const key = segmentKey(offer, segment);
    const { state, header } = initPush(key);
    sodium().memzero(key);
    this.#state = state;
    this.header = header;
  }

  static create(offer: FileOffer, segment: number): Result<SegmentEncryptor, FileChunkError> {
    if (!validSegment(offer, segment)) return fail('FILE_SEGMENT_RANGE');
    return ok(new SegmentEncryptor(offer, segment));
  }

  get chunkCount(): number {
    return this.#chunkCount;
  }

  /** True once the segment's last (FINAL) chunk was produced. */
  get done(): boolean {
    return this.#chunksDone === this.#chunkCount;
  }

  /** The next chunk, which must have exactly its expected plaintext length. */
  encryptChunk(plaintext: Uint8Array): Result<Uint8Array, FileChunkError> {
    const out = new Uint8Array(sealedChunkBytes(plaintext.length));
    const done = this.encryptChunkInto(plaintext, out);
    return done.ok ? ok(out) : done;
  }

  /**
   * `encryptChunk`, writing the sealed chunk into `out` (exactly
   * `sealedChunkBytes(plaintext.length)` long: a view into the message that
   * carries it), so it is never copied again on its way to the link.
   */
  encryptChunkInto(plaintext: Uint8Array, out: Uint8Array): Result<void, FileChunkError> {
    if (!this.#state) return fail(this.done ? 'FILE_CHUNK_AFTER_FINAL' : 'FILE_STREAM_FAILED');
    const index = this.segment * FILES.chunksPerSegment + this.#chunksDone;
    if (plaintext.length !== expectedChunkBytes(this.#offer, index))
      return fail('FILE_CHUNK_LENGTH');
    if (out.length !== sealedChunkBytes(plaintext.length)) return fail('FILE_CHUNK_LENGTH');
    this.#chunksDone += 1;
    const last = this.done;
    pushInto(this.#state, plaintext, this.#ad, last ? STREAM_TAG.final : STREAM_TAG.message, out);
    if (last) this.close();
    return ok(undefined);
  }

  close(): void {
    if (this.#state) freeStreamState(this.#state);
    this.#state = null;
  }
}

/** Decrypts one segment; `finish()` tells a complete segment from a truncated one. */
export class SegmentDecryptor {
  readonly segment: number;
  readonly #offer: FileOffer;
  readonly #ad: Uint8Array;
  readonly #chunkCount: number;
  #state: StreamState | null;
  #chunksDone = 0;
  #status: 'open' | 'final' | 'failed' = 'open';

  private constructor(offer: FileOffer, segment: number, state: StreamState) {
    this.#offer = offer;
    this.segment = segment;
    this.#ad = segmentAd(offer, segment);
    this.#chunkCount = segmentChunkCount(offer, segment);
    this.#state = state;
  }

  static create(
    offer: FileOffer,
    segment: number,
    header: Uint8Array,
  ): Result<SegmentDecryptor, FileChunkError> {
    if (!validSegment(offer, segment)) return fail('FILE_SEGMENT_RANGE');
    if (!(header instanceof Uint8Array)) return fail('FILE_HEADER_INVALID');
    const key = segmentKey(offer, segment);
    const state = initPull(header, key);
    sodium().memzero(key);
    if (!state) return fail('FILE_HEADER_INVALID');
    return ok(new SegmentDecryptor(offer, segment, state));
  }

  get chunkCount(): number {
    return this.#chunkCount;
  }

  /** Fail closed: after any rejected chunk the segment must be restarted. */
  decryptChunk(
    chunk: Uint8Array,
  ): Result<{ plaintext: Uint8Array; last: boolean }, FileChunkError> {
    return this.#open(chunk, null);
  }

  /**
   * `decryptChunk`, writing the plaintext into `out` (exactly
   * `chunk.length − streamOverheadBytes()` long: a view into the buffer the
   * file is written from), so it is never copied again on its way to the
   * sink. On failure `out` holds nothing to keep.
   */
  decryptChunkInto(
    chunk: Uint8Array,
    out: Uint8Array,
  ): Result<{ plaintext: Uint8Array; last: boolean }, FileChunkError> {
    return this.#open(chunk, out);
  }

  #open(
    chunk: Uint8Array,
    into: Uint8Array | null,
  ): Result<{ plaintext: Uint8Array; last: boolean }, FileChunkError> {
    if (this.#status === 'final') return this.#fail('FILE_CHUNK_AFTER_FINAL');
    if (this.#status === 'failed' || !this.#state) return fail('FILE_STREAM_FAILED');
    if (!(chunk instanceof Uint8Array)) return this.#fail('FILE_CHUNK_REJECTED');
    let out: { message: Uint8Array; tag: number } | null;
    if (into && into.length === chunk.length - streamOverheadBytes()) {
      const tag = pullInto(this.#state, chunk, this.#ad, into);
      out = tag === null ? null : { message: into, tag };
    } else {
      out = pull(this.#state, chunk, this.#ad);
      if (out && into) return this.#fail('FILE_CHUNK_LENGTH');
    }
    if (!out) return this.#fail('FILE_CHUNK_REJECTED');
    const index = this.segment * FILES.chunksPerSegment + this.#chunksDone;
    const expectLast = this.#chunksDone + 1 === this.#chunkCount;
    const isFinal = out.tag === STREAM_TAG.final;
    if (!isFinal && out.tag !== STREAM_TAG.message) return this.#fail('FILE_CHUNK_REJECTED');
    // FINAL early (segment too short) or missing on the last chunk (too long).
    if (isFinal !== expectLast) return this.#fail('FILE_CHUNK_COUNT');
    if (out.message.length !== expectedChunkBytes(this.#offer, index)) {
      return this.#fail('FILE_CHUNK_LENGTH');
    }
    this.#chunksDone += 1;
    if (isFinal) {
      this.#status = 'final';
      this.close();
    }
    return ok({ plaintext: out.message, last: isFinal });
  }

  /** Ok only when the segment ended with its FINAL chunk. */
  finish(): Result<void, FileChunkError> {
    if (this.#status === 'final') return ok(undefined);
    this.close();
    this.#status = 'failed';
    return fail('FILE_SEGMENT_TRUNCATED');
  }

  close(): void {
    if (this.#state) freeStreamState(this.#state);
    this.#state = null;
  }

  #fail(code: FileChunkError): { ok: false; code: FileChunkError } {
    this.close();
    this.#status = 'failed';
    return fail(code);
  }
}
