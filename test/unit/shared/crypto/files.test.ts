import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FILES } from '../../../../shared/crypto/constants.ts';
import { frame, toHex } from '../../../../shared/crypto/encoding.ts';
import { SegmentDecryptor, SegmentEncryptor } from '../../../../shared/crypto/file-segments.ts';
import {
  decodeFileOffer,
  encodeFileOffer,
  expectedChunkBytes,
  FileHasher,
  type FileOffer,
  fileChunkCount,
  makeFileOffer,
  segmentChunkCount,
  verifyFileHash,
} from '../../../../shared/crypto/files.ts';
import { streamOverheadBytes } from '../../../../shared/crypto/secretstream.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { flipBit } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

const KIB = 1024;
const CHUNK = 16 * KIB;

function fileOf(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function offerFor(data: Uint8Array, chunkSize = CHUNK): FileOffer {
  const hasher = new FileHasher();
  hasher.update(data);
  const r = makeFileOffer({
    name: 'report.pdf',
    mime: 'application/pdf',
    size: data.length,
    chunkSize,
    hash: hasher.digest(),
  });
  if (!r.ok) throw new Error(r.code);
  return r.value;
}

interface SealedSegment {
  header: Uint8Array;
  chunks: Uint8Array[];
}

function encryptSegment(offer: FileOffer, data: Uint8Array, s: number): SealedSegment {
  const enc = SegmentEncryptor.create(offer, s);
  if (!enc.ok) throw new Error(enc.code);
  const chunks: Uint8Array[] = [];
  for (let j = 0; j < enc.value.chunkCount; j++) {
    const index = s * FILES.chunksPerSegment + j;
    const start = index * offer.chunkSize;
    const r = enc.value.encryptChunk(
      data.subarray(start, start + expectedChunkBytes(offer, index)),
    );
    if (!r.ok) throw new Error(r.code);
    chunks.push(r.value);
  }
  expect(enc.value.done).toBe(true);
  return { header: enc.value.header, chunks };
}

/** Plaintext of the segment, or the first error code. */
function decryptSegment(
  offer: FileOffer,
  s: number,
  seg: SealedSegment,
): { ok: true; parts: Uint8Array[] } | { ok: false; code: string } {
  const dec = SegmentDecryptor.create(offer, s, seg.header);
  if (!dec.ok) return dec;
  const parts: Uint8Array[] = [];
  for (const c of seg.chunks) {
    const r = dec.value.decryptChunk(c);
    if (!r.ok) return r;
    parts.push(r.value.plaintext);
  }
  const end = dec.value.finish();
  return end.ok ? { ok: true, parts } : end;
}

describe('file offer', () => {
  it('counts segments of 256 chunks and accepts only 16–64 KiB chunks', () => {
    const r = makeFileOffer({ name: 'a', mime: 'b', size: 257 * CHUNK + 1, chunkSize: CHUNK });
    expect(r.ok && [fileChunkCount(r.value), r.value.segments]).toEqual([258, 2]);
    expect(r.ok && r.value.hash).toBeNull();
    expect(r.ok && r.value.fileKey.length).toBe(32);
    for (const chunkSize of [16 * KIB - 1, 64 * KIB + 1, 0, 1.5]) {
      expect(makeFileOffer({ name: 'a', mime: 'b', size: 1, chunkSize })).toEqual({
        ok: false,
        code: 'FILE_CHUNK_SIZE',
      });
    }
    expect(makeFileOffer({ name: 'a', mime: 'b', size: -1, chunkSize: CHUNK }).ok).toBe(false);
    expect(makeFileOffer({ name: 'bad\uD800.txt', mime: 'b', size: 1, chunkSize: CHUNK })).toEqual({
      ok: false,
      code: 'FILE_NAME',
    });
  });

  it('round-trips through its strict binary encoding, and needs the hash first', () => {
    const offer = offerFor(fileOf(40_000));
    const bytes = encodeFileOffer(offer);
    if (!bytes.ok) throw new Error(bytes.code);
    const back = decodeFileOffer(bytes.value);
    expect(
      back.ok && {
        ...back.value,
        hash: toHex(back.value.hash!),
        fileKey: toHex(back.value.fileKey),
      },
    ).toEqual({
      ...offer,
      hash: toHex(offer.hash!),
      fileKey: toHex(offer.fileKey),
    });
    expect(encodeFileOffer({ ...offer, hash: null })).toEqual({
      ok: false,
      code: 'FILE_HASH_MISSING',
    });
    fc.assert(
      fc.property(fc.nat(), (bit) => {
        const r = decodeFileOffer(flipBit(bytes.value, bit % (bytes.value.length * 8)));
        // A flip in name, key or hash bytes still decodes (the offer is signed as an event);
        // every structural field is checked.
        if (r.ok) expect(r.value.segments).toBe(offer.segments);
      }),
      { numRuns: 100 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (junk) => {
        expect(decodeFileOffer(junk).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('file segments', () => {
  it('a file of any size survives encryption, and its hash verifies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * CHUNK + 10 }),
        fc.constantFrom(16 * KIB, 64 * KIB),
        (size, chunkSize) => {
          const data = fileOf(size, size);
          const offer = offerFor(data, chunkSize);
          const hasher = new FileHasher();
          let total = 0;
          for (let s = 0; s < offer.segments; s++) {
            const r = decryptSegment(offer, s, encryptSegment(offer, data, s));
            if (!r.ok) throw new Error(r.code);
            for (const p of r.parts) {
              hasher.update(p);
              total += p.length;
            }
          }
          expect(total).toBe(size);
          expect(verifyFileHash(offer, hasher.digest())).toBe(true);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('a multi-segment file resumes from any segment without the earlier ones', () => {
    const data = fileOf(300 * CHUNK + 123);
    const offer = offerFor(data);
    expect(offer.segments).toBe(2);
    expect(segmentChunkCount(offer, 1)).toBe(45);
    // Resume at segment 1 with fresh encryptor and decryptor (a new header).
    const r = decryptSegment(offer, 1, encryptSegment(offer, data, 1));
    expect(r.ok && r.parts.reduce((n, p) => n + p.length, 0)).toBe(44 * CHUNK + 123);
  });

  it('rejects a flipped bit in any chunk or in the header', () => {
    const data = fileOf(5 * CHUNK + 7);
    const offer = offerFor(data);
    const seg = encryptSegment(offer, data, 0);
    fc.assert(
      fc.property(fc.integer({ min: -1, max: seg.chunks.length - 1 }), fc.nat(), (which, bit) => {
        const tampered =
          which < 0
            ? { header: flipBit(seg.header, bit % (seg.header.length * 8)), chunks: seg.chunks }
            : {
                header: seg.header,
                chunks: seg.chunks.map((c, i) =>
                  i === which ? flipBit(c, bit % (c.length * 8)) : c,
                ),
              };
        expect(decryptSegment(offer, 0, tampered).ok).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('chunks decrypted in place into one buffer give the same bytes, and a tampered one leaves the buffer as it was', () => {
    const data = fileOf(3 * CHUNK + 5);
    const offer = offerFor(data);
    const seg = encryptSegment(offer, data, 0);
    const dec = SegmentDecryptor.create(offer, 0, seg.header);
    if (!dec.ok) throw new Error(dec.code);
    const buffer = new Uint8Array(data.length).fill(0xaa);
    let at = 0;
    for (const [i, c] of seg.chunks.entries()) {
      const room = buffer.subarray(at, at + c.length - streamOverheadBytes());
      if (i === 1) {
        // A tampered copy first: rejected, and nothing of it lands in the buffer.
        const other = SegmentDecryptor.create(offer, 0, seg.header);
        if (!other.ok) throw new Error(other.code);
        other.value.decryptChunk(seg.chunks[0] as Uint8Array);
        expect(other.value.decryptChunkInto(flipBit(c, 9), room)).toEqual({
          ok: false,
          code: 'FILE_CHUNK_REJECTED',
        });
        expect(room.every((b) => b === 0xaa)).toBe(true);
      }
      const r = dec.value.decryptChunkInto(c, room);
      if (!r.ok) throw new Error(r.code);
      expect(r.value.plaintext).toBe(room);
      expect(r.value.last).toBe(i === seg.chunks.length - 1);
      at += room.length;
    }
    expect(dec.value.finish().ok).toBe(true);
    expect(toHex(buffer)).toBe(toHex(data));
  });

  it('rejects reordered, duplicated and dropped chunks', () => {
    const data = fileOf(6 * CHUNK);
    const offer = offerFor(data);
    const seg = encryptSegment(offer, data, 0);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.constantFrom('swap', 'dup', 'drop'),
        (i, how) => {
          const chunks = seg.chunks.slice();
          if (how === 'swap') [chunks[i], chunks[i + 1]] = [chunks[i + 1]!, chunks[i]!];
          if (how === 'dup') chunks.splice(i, 0, chunks[i]!);
          if (how === 'drop') chunks.splice(i, 1);
          expect(decryptSegment(offer, 0, { header: seg.header, chunks }).ok).toBe(false);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('a segment cut short (no FINAL) is truncated, and nothing follows FINAL', () => {
    const data = fileOf(3 * CHUNK);
    const offer = offerFor(data);
    const seg = encryptSegment(offer, data, 0);
    expect(
      decryptSegment(offer, 0, { header: seg.header, chunks: seg.chunks.slice(0, 2) }),
    ).toEqual({
      ok: false,
      code: 'FILE_SEGMENT_TRUNCATED',
    });
    const dec = SegmentDecryptor.create(offer, 0, seg.header);
    if (!dec.ok) throw new Error(dec.code);
    for (const c of seg.chunks) expect(dec.value.decryptChunk(c).ok).toBe(true);
    expect(dec.value.decryptChunk(seg.chunks[0]!)).toEqual({
      ok: false,
      code: 'FILE_CHUNK_AFTER_FINAL',
    });
  });

  it('rejects a segment spliced in from another position of the same file', () => {
    const data = fileOf(600 * CHUNK);
    const offer = offerFor(data);
    const seg0 = encryptSegment(offer, data, 0);
    const seg1 = encryptSegment(offer, data, 1);
    expect(decryptSegment(offer, 1, seg0)).toEqual({ ok: false, code: 'FILE_CHUNK_REJECTED' });
    expect(decryptSegment(offer, 0, seg1).ok).toBe(false);
    // One chunk from segment 1 inside segment 0's stream.
    const mixed = { header: seg0.header, chunks: [seg0.chunks[0]!, seg1.chunks[1]!] };
    expect(decryptSegment(offer, 0, mixed).ok).toBe(false);
  });

  it('rejects a segment spliced in from another file, even with the same key', () => {
    const data = fileOf(2 * CHUNK);
    const offer = offerFor(data);
    const other = offerFor(data);
    expect(decryptSegment(offer, 0, encryptSegment(other, data, 0)).ok).toBe(false);
    // Same key and sizes but another fileId: the AD (fileId, s, segments) differs.
    const sameKey = { ...other, fileKey: offer.fileKey };
    expect(decryptSegment(offer, 0, encryptSegment(sameKey, data, 0))).toEqual({
      ok: false,
      code: 'FILE_CHUNK_REJECTED',
    });
  });

  it('rejects chunks whose sizes do not add up to the offered size', () => {
    const data = fileOf(2 * CHUNK + 100);
    const offer = offerFor(data);
    // The sender lies about the size: encrypts with an offer one byte longer.
    const longer = { ...offer, size: offer.size + 1 };
    const bigger = fileOf(offer.size + 1);
    expect(decryptSegment(offer, 0, encryptSegment(longer, bigger, 0))).toEqual({
      ok: false,
      code: 'FILE_CHUNK_LENGTH',
    });
    // Or claims a whole chunk fewer: its FINAL comes a chunk early.
    const shorter = { ...offer, size: 2 * CHUNK };
    expect(decryptSegment(offer, 0, encryptSegment(shorter, data, 0))).toEqual({
      ok: false,
      code: 'FILE_CHUNK_COUNT',
    });
    const enc = SegmentEncryptor.create(offer, 0);
    if (!enc.ok) throw new Error(enc.code);
    expect(enc.value.encryptChunk(new Uint8Array(CHUNK - 1))).toEqual({
      ok: false,
      code: 'FILE_CHUNK_LENGTH',
    });
  });

  it('a file whose plaintext differs from the offer fails the hash check', () => {
    const data = fileOf(CHUNK);
    const offer = offerFor(data);
    const hasher = new FileHasher();
    hasher.update(flipBit(data, 5));
    expect(verifyFileHash(offer, hasher.digest())).toBe(false);
    expect(verifyFileHash({ ...offer, hash: null }, sodium().randombytes_buf(32))).toBe(false);
  });

  it('refuses segment indexes outside the file and malformed headers', () => {
    const offer = offerFor(fileOf(10));
    expect(SegmentEncryptor.create(offer, 1)).toEqual({ ok: false, code: 'FILE_SEGMENT_RANGE' });
    expect(SegmentDecryptor.create(offer, -1, new Uint8Array(24))).toEqual({
      ok: false,
      code: 'FILE_SEGMENT_RANGE',
    });
    expect(SegmentDecryptor.create(offer, 0, new Uint8Array(3))).toEqual({
      ok: false,
      code: 'FILE_HEADER_INVALID',
    });
  });

  // A stream built by hand from the spec — segKey_3 = kdf(fileKey, 3, "filesegk"), checked
  // against an independent blake2b vector, AD = frame(fileId, 3, segments) — is accepted.
  it('segment keys and AD follow the spec (known-answer vector)', () => {
    const s = sodium();
    const data = fileOf(800 * CHUNK);
    const offer = { ...offerFor(data), fileKey: new Uint8Array(32).fill(9) };
    const segKey = s.crypto_kdf_derive_from_key(32, 3, 'filesegk', offer.fileKey);
    expect(toHex(segKey)).toBe('4dac57259ce6762f23802677addb574b0d021b0f3ba444bcd7a22cc660602dc8');
    const { state, header } = s.crypto_secretstream_xchacha20poly1305_init_push(segKey);
    const ad = frame(offer.fileId, 3, offer.segments);
    const count = segmentChunkCount(offer, 3);
    const chunks = Array.from({ length: count }, (_, j) => {
      const start = (3 * 256 + j) * CHUNK;
      const tag =
        j === count - 1
          ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL
          : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
      return s.crypto_secretstream_xchacha20poly1305_push(
        state,
        data.subarray(start, start + CHUNK),
        ad,
        tag,
      );
    });
    const r = decryptSegment(offer, 3, { header, chunks });
    expect(r.ok && r.parts.length).toBe(32);
  });
});
