import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../../../shared/crypto/sodium.ts';
import {
  ChunkMessageEncoder,
  decodeFileMessage,
  encodeFileMessage,
  type FileMessage,
} from '../../../../../web/core/files/file-messages.ts';
import { isFileMessage } from '../../../../../web/core/link-messages.ts';

beforeAll(async () => {
  await loadSodium();
});

const fileId = 'AAAAAAAAAAAAAAAAAAAAAA';
const samples: FileMessage[] = [
  { t: 'request', fileId, segment: 3 },
  { t: 'header', fileId, segment: 0, header: new Uint8Array(24).fill(7) },
  { t: 'chunk', fileId, segment: 2, chunk: new Uint8Array(65_536 + 17).fill(1) },
  { t: 'ack', fileId, segment: 1, chunks: 256 },
  { t: 'pause', fileId, on: true },
  { t: 'pause', fileId, on: false },
  { t: 'cancel', fileId, code: 'FILE_DECLINED' },
  { t: 'done', fileId },
];

describe('file messages on a link', () => {
  it('every message survives encoding and is recognised as a file message', () => {
    for (const m of samples) {
      const bytes = encodeFileMessage(m);
      expect(isFileMessage(bytes)).toBe(true);
      expect(decodeFileMessage(bytes)).toEqual(m);
    }
  });

  it('a full 64 KiB chunk fits a link frame with room to spare', () => {
    const bytes = encodeFileMessage(samples[2] as FileMessage);
    expect(bytes.length).toBeLessThan(66 * 1024);
  });

  it('off-shape messages are refused, never thrown on', () => {
    expect(
      decodeFileMessage(
        encodeFileMessage({ t: 'header', fileId, segment: 0, header: new Uint8Array(23) }),
      ),
    ).toBeNull();
    expect(
      decodeFileMessage(encodeFileMessage({ t: 'ack', fileId, segment: 0, chunks: 257 })),
    ).toBeNull();
    expect(
      decodeFileMessage(encodeFileMessage({ t: 'cancel', fileId, code: 'lower case' })),
    ).toBeNull();
    expect(
      decodeFileMessage(
        encodeFileMessage({ t: 'chunk', fileId, segment: 0, chunk: new Uint8Array(70_000) }),
      ),
    ).toBeNull();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 80, max: 95 }),
        (tail, type) => {
          const bytes = new Uint8Array([1, type, ...tail]);
          expect(() => decodeFileMessage(bytes)).not.toThrow();
        },
      ),
    );
  });

  it('a chunk message built in place is byte-identical to the framed one', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 32, unit: 'grapheme' }),
        fc.oneof(
          fc.integer({ min: 0, max: 300 }),
          fc.constant(2 ** 32 + 5),
          fc.constant(2 ** 53 - 1),
        ),
        fc.uint8Array({ maxLength: 2_000 }),
        (id, segment, chunk) => {
          const built = new ChunkMessageEncoder(id).allocate(segment, chunk.length);
          built.chunk.set(chunk);
          expect(built.chunk.buffer).toBe(built.bytes.buffer);
          expect(built.bytes).toEqual(
            encodeFileMessage({ t: 'chunk', fileId: id, segment, chunk }),
          );
        },
      ),
    );
    expect(() => new ChunkMessageEncoder('\uD800')).toThrow(RangeError);
    expect(() => new ChunkMessageEncoder(fileId).allocate(-1, 10)).toThrow(RangeError);
  });
});
