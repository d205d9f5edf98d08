/**
 * File transfer encryption (CRYPTO.md "Files"). A file is cut into chunks of
 * `chunkSize` bytes (the last may be short), 256 chunks to a segment. Each
 * segment is its own secretstream under `segKey_s = kdf(fileKey, s,
 * "filesegk")` with AD = frame(fileId, s, segments) on every chunk and
 * TAG_FINAL on its last chunk, so:
 *  - a chunk from another segment or file fails (different key and AD),
 *  - reorder, duplication and drops fail (the stream's implicit counter),
 *  - truncation shows (no FINAL) and so does a chunk after FINAL,
 *  - each plaintext chunk must have exactly its expected length, so the
 *    total size cannot differ from the offer's,
 * and a transfer can resume at any segment: a segment needs no state from
 * the ones before it. The whole-file hash is checked at the end.
 *
 * This file: the offer, its geometry and the whole-file hash; the segment
 * streams are in file-segments.ts.
 */
import { FILES, WIRE_TYPE } from './constants.ts';
import { fromB64, isWellFormedText, toB64, utf8 } from './encoding.ts';
import { randomBytes } from './random.ts';
import { fail, ok, type Result } from './result.ts';
import { sodium } from './sodium.ts';
import { decodeWire, encodeWire, readBytes, readText, readU64 } from './wire.ts';

export interface FileOffer {
  /** 16 random bytes, base64url. */
  fileId: string;
  name: string;
  mime: string;
  size: number;
  chunkSize: number;
  segments: number;
  /** generichash(32) of the plaintext, from FileHasher; null until the caller sets it. */
  hash: Uint8Array | null;
  /** Secret: the offer travels only inside end-to-end encrypted events. */
  fileKey: Uint8Array;
}

export type FileOfferError =
  | 'FILE_CHUNK_SIZE'
  | 'FILE_SIZE'
  | 'FILE_NAME'
  | 'FILE_MIME'
  | 'FILE_HASH_MISSING'
  | 'FILE_OFFER_MALFORMED';

export type FileChunkError =
  | 'FILE_SEGMENT_RANGE'
  | 'FILE_HEADER_INVALID'
  | 'FILE_CHUNK_REJECTED'
  | 'FILE_CHUNK_LENGTH'
  | 'FILE_CHUNK_COUNT'
  | 'FILE_CHUNK_AFTER_FINAL'
  | 'FILE_SEGMENT_TRUNCATED'
  | 'FILE_STREAM_FAILED';

const HASH_BYTES = 32;
const KEY_BYTES = 32;
const OFFER_MAX_BYTES = 512 + FILES.maxNameBytes + FILES.maxMimeBytes;

export function fileChunkCount(offer: Pick<FileOffer, 'size' | 'chunkSize'>): number {
  // An empty file still sends one (empty) chunk, so its segment has a FINAL.
  return Math.max(1, Math.ceil(offer.size / offer.chunkSize));
}

/** Chunks in segment s (256, except the file's last segment). */
export function segmentChunkCount(offer: FileOffer, segment: number): number {
  const chunks = fileChunkCount(offer);
  return Math.min(FILES.chunksPerSegment, chunks - segment * FILES.chunksPerSegment);
}

/** Plaintext length of the chunk with this file-wide index. */
export function expectedChunkBytes(offer: FileOffer, chunkIndex: number): number {
  const chunks = fileChunkCount(offer);
  return chunkIndex === chunks - 1 ? offer.size - (chunks - 1) * offer.chunkSize : offer.chunkSize;
}

function checkOfferFields(o: {
  name: string;
  mime: string;
  size: number;
  chunkSize: number;
}): FileOfferError | null {
  if (
    !Number.isSafeInteger(o.chunkSize) ||
    o.chunkSize < FILES.minChunkBytes ||
    o.chunkSize > FILES.maxChunkBytes
  ) {
    return 'FILE_CHUNK_SIZE';
  }
  if (!Number.isSafeInteger(o.size) || o.size < 0 || o.size > FILES.maxFileBytes) {
    return 'FILE_SIZE';
  }
  if (!isWellFormedText(o.name) || utf8(o.name).length > FILES.maxNameBytes) return 'FILE_NAME';
  if (!isWellFormedText(o.mime) || utf8(o.mime).length > FILES.maxMimeBytes) return 'FILE_MIME';
  return null;
}

export function makeFileOffer(input: {
  name: string;
  mime: string;
  size: number;
  chunkSize: number;
  hash?: Uint8Array;
}): Result<FileOffer, FileOfferError> {
  const problem = checkOfferFields(input);
  if (problem) return fail(problem);
  if (input.hash && input.hash.length !== HASH_BYTES) return fail('FILE_HASH_MISSING');
  const s = sodium();
  const segments = Math.ceil(fileChunkCount(input) / FILES.chunksPerSegment);
  return ok({
    fileId: toB64(randomBytes(FILES.fileIdBytes)),
    name: input.name,
    mime: input.mime,
    size: input.size,
    chunkSize: input.chunkSize,
    segments,
    hash: input.hash ? input.hash.slice() : null,
    fileKey: s.crypto_kdf_keygen(),
  });
}

export function encodeFileOffer(offer: FileOffer): Result<Uint8Array, FileOfferError> {
  if (!offer.hash || offer.hash.length !== HASH_BYTES) return fail('FILE_HASH_MISSING');
  return ok(
    encodeWire(
      WIRE_TYPE.fileOffer,
      offer.fileId,
      offer.name,
      offer.mime,
      offer.size,
      offer.chunkSize,
      offer.segments,
      offer.hash,
      offer.fileKey,
    ),
  );
}

export function decodeFileOffer(bytes: Uint8Array): Result<FileOffer, FileOfferError> {
  const f = decodeWire(bytes, WIRE_TYPE.fileOffer, 8, OFFER_MAX_BYTES);
  const fileId = readText(f?.[0], 64);
  const name = readText(f?.[1], FILES.maxNameBytes);
  const mime = readText(f?.[2], FILES.maxMimeBytes);
  const size = readU64(f?.[3]);
  const chunkSize = readU64(f?.[4]);
  const segments = readU64(f?.[5]);
  const hash = readBytes(f?.[6], HASH_BYTES);
  const fileKey = readBytes(f?.[7], KEY_BYTES);
  if (fileId === null || name === null || mime === null || size === null) {
    return fail('FILE_OFFER_MALFORMED');
  }
  if (chunkSize === null || segments === null || !hash || !fileKey) {
    return fail('FILE_OFFER_MALFORMED');
  }
  const problem = checkOfferFields({ name, mime, size, chunkSize });
  if (problem) return fail(problem);
  if (!isFileId(fileId)) return fail('FILE_OFFER_MALFORMED');
  // segments is derived, but carried so that both ends bind the same count into every AD.
  if (segments !== Math.ceil(fileChunkCount({ size, chunkSize }) / FILES.chunksPerSegment)) {
    return fail('FILE_OFFER_MALFORMED');
  }
  return ok({ fileId, name, mime, size, chunkSize, segments, hash, fileKey });
}

function isFileId(fileId: string): boolean {
  try {
    return fromB64(fileId).length === FILES.fileIdBytes;
  } catch {
    return false;
  }
}

/** Streaming generichash(32) over the plaintext, fed in order. */
export class FileHasher {
  #state: ReturnType<ReturnType<typeof sodium>['crypto_generichash_init']> | null;

  constructor() {
    this.#state = sodium().crypto_generichash_init(null, HASH_BYTES);
  }

  update(chunk: Uint8Array): void {
    if (!this.#state) throw new Error('parley/files: hasher already finished');
    sodium().crypto_generichash_update(this.#state, chunk);
  }

  /** The digest; the hasher cannot be used afterwards (libsodium frees its state). */
  digest(): Uint8Array {
    if (!this.#state) throw new Error('parley/files: hasher already finished');
    const out = sodium().crypto_generichash_final(this.#state, HASH_BYTES);
    this.#state = null;
    return out;
  }
}

/** Constant-time comparison of a received file's digest with the offer's. */
export function verifyFileHash(offer: FileOffer, digest: Uint8Array): boolean {
  if (!offer.hash || offer.hash.length !== HASH_BYTES || digest.length !== HASH_BYTES) return false;
  return sodium().memcmp(offer.hash, digest);
}
