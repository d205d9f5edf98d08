/**
 * What file transfers send inside a link (types 80–95, link-messages.ts
 * FILE_MESSAGE_TYPES). The receiver drives: it asks for a segment, the
 * sender streams that segment's header and chunks, the receiver acknowledges
 * progress (credit for the sender's window) and each finished segment (the
 * resume point). A peer's bytes are outside input: decoding never throws and
 * rejects anything off-shape.
 *
 *   request  receiver → sender: send from segment `segment` (start, resume, re-fetch)
 *   header   sender → receiver: a segment's secretstream header
 *   chunk    sender → receiver: one encrypted chunk of that segment
 *   ack      receiver → sender: `chunks` of `segment` are written (all of them: segment done)
 *   pause    either side: stop (on) or carry on (off)
 *   cancel   either side: the transfer is over (declined, cancelled, failed), with a code
 *   done     receiver → sender: the whole file arrived and its hash matches the offer
 *   unavailable  sender → receiver: the offer stands but its bytes cannot be read
 *            right now (restarted, the file not re-attached yet): wait, do not cancel
 */
import { FILES, WIRE_VERSION } from '../../../shared/crypto/constants.ts';
import { isWellFormedText, utf8 } from '../../../shared/crypto/encoding.ts';
import { decodeWire, encodeWire, readText, readU64 } from '../../../shared/crypto/wire.ts';

export const FILE_MESSAGE_TYPE = {
  request: 80,
  header: 81,
  chunk: 82,
  ack: 83,
  pause: 84,
  cancel: 85,
  done: 86,
  unavailable: 87,
} as const;

/** A chunk is at most 64 KiB plus the secretstream's 17 bytes; the rest is framing. */
const MAX_MESSAGE_BYTES = FILES.maxChunkBytes + 1_024;
const MAX_FILE_ID_CHARS = 32;
const MAX_CODE_CHARS = 64;
const HEADER_BYTES = 24;

export type FileMessage =
  | { t: 'request'; fileId: string; segment: number }
  | { t: 'header'; fileId: string; segment: number; header: Uint8Array }
  | { t: 'chunk'; fileId: string; segment: number; chunk: Uint8Array }
  | { t: 'ack'; fileId: string; segment: number; chunks: number }
  | { t: 'pause'; fileId: string; on: boolean }
  | { t: 'cancel'; fileId: string; code: string }
  | { t: 'done'; fileId: string }
  | { t: 'unavailable'; fileId: string };

export function encodeFileMessage(m: FileMessage): Uint8Array {
  const T = FILE_MESSAGE_TYPE;
  switch (m.t) {
    case 'request':
      return encodeWire(T.request, m.fileId, m.segment);
    case 'header':
      return encodeWire(T.header, m.fileId, m.segment, m.header);
    case 'chunk':
      return encodeWire(T.chunk, m.fileId, m.segment, m.chunk);
    case 'ack':
      return encodeWire(T.ack, m.fileId, m.segment, m.chunks);
    case 'pause':
      return encodeWire(T.pause, m.fileId, m.on ? 1 : 0);
    case 'cancel':
      return encodeWire(T.cancel, m.fileId, m.code);
    case 'done':
      return encodeWire(T.done, m.fileId);
    case 'unavailable':
      return encodeWire(T.unavailable, m.fileId);
  }
}

/**
 * Builds chunk messages byte-identical to `encodeFileMessage({ t: 'chunk' })`
 * in one allocation each, the chunk's place left for the encryptor to fill
 * (file-segments.ts `encryptChunkInto`): the hot path of a transfer, where
 * framing a finished chunk copied it twice (frame(), then the wire envelope).
 */
export class ChunkMessageEncoder {
  /** version, type, then the framed fileId: the same for every chunk of a file. */
  readonly #prefix: Uint8Array;

  constructor(fileId: string) {
    if (!isWellFormedText(fileId)) throw new RangeError('parley/files: fileId is not well-formed');
    const id = utf8(fileId);
    this.#prefix = new Uint8Array(2 + 4 + id.length);
    this.#prefix[0] = WIRE_VERSION;
    this.#prefix[1] = FILE_MESSAGE_TYPE.chunk;
    new DataView(this.#prefix.buffer).setUint32(2, id.length);
    this.#prefix.set(id, 6);
  }

  /** The buffer `allocate(…, true)` hands out again (see there). */
  #spare: Uint8Array | null = null;

  /**
   * The whole message (`bytes`) and the view of it (`chunk`) the sealed chunk
   * goes into. With `reuse`, the buffer of the previous reusing call comes
   * back when the size matches: only for a caller done with that message
   * (the link sealed it, which copies) before asking for the next. A fresh
   * 64 KiB ArrayBuffer costs ~40 µs in Chromium (a copy into a warm one
   * ~2 µs), once per chunk on the sender.
   */
  allocate(
    segment: number,
    chunkBytes: number,
    reuse = false,
  ): { bytes: Uint8Array; chunk: Uint8Array } {
    if (!Number.isSafeInteger(segment) || segment < 0) {
      throw new RangeError('parley/files: segment must be a non-negative safe integer');
    }
    const head = this.#prefix.length + 4 + 8 + 4;
    const spare = reuse && this.#spare?.length === head + chunkBytes ? this.#spare : null;
    const bytes = spare ?? new Uint8Array(head + chunkBytes);
    if (reuse) this.#spare = bytes;
    bytes.set(this.#prefix);
    const view = new DataView(bytes.buffer);
    let at = this.#prefix.length;
    view.setUint32(at, 8);
    view.setUint32(at + 4, Math.floor(segment / 2 ** 32));
    view.setUint32(at + 8, segment >>> 0);
    at += 12;
    view.setUint32(at, chunkBytes);
    return { bytes, chunk: bytes.subarray(head) };
  }
}

const FIELD_COUNTS: Readonly<Record<number, number>> = {
  [FILE_MESSAGE_TYPE.request]: 2,
  [FILE_MESSAGE_TYPE.header]: 3,
  [FILE_MESSAGE_TYPE.chunk]: 3,
  [FILE_MESSAGE_TYPE.ack]: 3,
  [FILE_MESSAGE_TYPE.pause]: 2,
  [FILE_MESSAGE_TYPE.cancel]: 2,
  [FILE_MESSAGE_TYPE.done]: 1,
  [FILE_MESSAGE_TYPE.unavailable]: 1,
};

/** A chunk (`chunk`) is a view into `bytes`, not a copy. */
export function decodeFileMessage(bytes: Uint8Array): FileMessage | null {
  const T = FILE_MESSAGE_TYPE;
  const type = bytes[1];
  const count = type === undefined ? undefined : FIELD_COUNTS[type];
  if (type === undefined || count === undefined) return null;
  const f = decodeWire(bytes, type, count, MAX_MESSAGE_BYTES);
  const fileId = readText(f?.[0], MAX_FILE_ID_CHARS);
  if (!f || !fileId) return null;
  const n = readU64(f[1]);
  switch (type) {
    case T.request:
      return n === null ? null : { t: 'request', fileId, segment: n };
    case T.header:
      return n === null || f[2]?.length !== HEADER_BYTES
        ? null
        : { t: 'header', fileId, segment: n, header: f[2] };
    case T.chunk:
      return n === null || !f[2] ? null : { t: 'chunk', fileId, segment: n, chunk: f[2] };
    case T.ack: {
      const chunks = readU64(f[2]);
      return n === null || chunks === null || chunks > FILES.chunksPerSegment
        ? null
        : { t: 'ack', fileId, segment: n, chunks };
    }
    case T.pause:
      return n === 0 || n === 1 ? { t: 'pause', fileId, on: n === 1 } : null;
    case T.cancel: {
      const code = readText(f[1], MAX_CODE_CHARS);
      return code && /^[A-Z_]+$/.test(code) ? { t: 'cancel', fileId, code } : null;
    }
    case T.unavailable:
      return { t: 'unavailable', fileId };
    default:
      return { t: 'done', fileId };
  }
}
