import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  type Field,
  frame,
  fromB64,
  fromHex,
  fromUtf8,
  toB64,
  toHex,
  u64,
  unframe,
  utf8,
} from '../../../../shared/crypto/encoding.ts';

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.nat({ max: Number.MAX_SAFE_INTEGER }),
);

/** Each field's bytes: lists with different byte lists must frame differently. */
function fieldHexes(fields: Field[]): string {
  return JSON.stringify(
    fields.map((f) => toHex(typeof f === 'number' ? u64(f) : typeof f === 'string' ? utf8(f) : f)),
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

describe('frame: the canonical encoding of everything signed', () => {
  it('encodes a known field list byte for byte', () => {
    expect(toHex(frame('ab', new Uint8Array([1, 2, 3]), 258))).toBe(
      `00000002${'6162'}00000003${'010203'}00000008${'0000000000000102'}`,
    );
  });

  it('never encodes two different field lists the same (no two signed inputs collide)', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 6 }), fc.array(field, { maxLength: 6 }), (a, b) => {
        // A number and its 8-byte u64 form share a wire form on purpose (a
        // field's type is fixed by its position in every protocol message).
        fc.pre(fieldHexes(a) !== fieldHexes(b));
        expect(sameBytes(frame(...a), frame(...b))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('moving bytes between adjacent fields changes the encoding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 30 }), fc.nat(30), (bytes, cut) => {
        const at = cut % bytes.length;
        const split = frame(bytes.subarray(0, at), bytes.subarray(at));
        const joined = frame(bytes);
        expect(sameBytes(split, joined)).toBe(false);
      }),
    );
  });

  it('unframe returns exactly the fields that were framed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 8 }), (parts) => {
        const back = unframe(frame(...parts));
        expect(back.map(toHex)).toEqual(parts.map(toHex));
      }),
    );
  });

  it('unframe rejects truncated or trailing input', () => {
    const good = frame('hello', new Uint8Array(5));
    expect(() => unframe(good.subarray(0, good.length - 1))).toThrow(RangeError);
    expect(() => unframe(concatBytes(good, new Uint8Array([0, 0])))).toThrow(RangeError);
    expect(() => unframe(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(RangeError);
  });

  it('refuses numbers it cannot encode exactly', () => {
    expect(() => frame(-1)).toThrow(RangeError);
    expect(() => frame(1.5)).toThrow(RangeError);
    expect(() => frame(2 ** 53)).toThrow(RangeError);
    expect(() => u64(Number.NaN)).toThrow(RangeError);
  });

  it('refuses a string with a lone surrogate (it would encode like U+FFFD)', () => {
    // TextEncoder turns a lone surrogate into U+FFFD, so "\uD800" and "\uFFFD"
    // would sign the same bytes: two different msgIds, one signature.
    expect(() => frame('\uD800')).toThrow(RangeError);
    expect(() => frame('a\uDC00b')).toThrow(RangeError);
    expect(toHex(frame('\uD83D\uDE00'))).toBe('00000004f09f9880');
  });

  it('any two different strings, surrogates included, frame differently or are refused', () => {
    const tryFrame = (text: string) => {
      try {
        return toHex(frame(text));
      } catch {
        return null;
      }
    };
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
        (a, b) => {
          fc.pre(a !== b);
          const fa = tryFrame(a);
          const fb = tryFrame(b);
          if (fa !== null && fb !== null) expect(fa).not.toBe(fb);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('base64url', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(toHex(fromB64(toB64(bytes)))).toBe(toHex(bytes));
      }),
    );
  });

  it('matches RFC 4648 test vectors (url alphabet, no padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg'],
      ['fo', 'Zm8'],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg'],
      ['fooba', 'Zm9vYmE'],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, b64] of vectors) {
      expect(toB64(utf8(plain))).toBe(b64);
      expect(fromUtf8(fromB64(b64))).toBe(plain);
    }
    expect(toB64(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
  });

  it('rejects non-canonical encodings, so one key has one name', () => {
    // "Zh" decodes to "f" too, with non-zero leftover bits.
    expect(() => fromB64('Zh')).toThrow(/non-canonical/);
    expect(() => fromB64('Zm9')).toThrow(/non-canonical/);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), (bytes, pick) => {
        const text = toB64(bytes);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const last = alphabet[pick % 64]!;
        const other = text.slice(0, -1) + last;
        if (other === text) return;
        // Either it names different bytes, or it is refused; never the same bytes.
        try {
          expect(toHex(fromB64(other))).not.toBe(toHex(bytes));
        } catch (err) {
          expect(err).toBeInstanceOf(RangeError);
        }
      }),
    );
  });

  it('rejects padding, whitespace, the standard alphabet and bad lengths', () => {
    for (const bad of ['Zg==', 'Zm9v\n', 'Zm 9v', 'ab+/', 'abc/', 'A', 'AAAAA', 'é']) {
      expect(() => fromB64(bad)).toThrow(RangeError);
    }
  });
});

describe('hex and utf8', () => {
  it('hex round-trips and rejects junk', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(toHex(fromHex(toHex(bytes)))).toBe(toHex(bytes));
      }),
    );
    expect(() => fromHex('abc')).toThrow(RangeError);
    expect(() => fromHex('zz')).toThrow(RangeError);
    expect(toHex(fromHex('ABcd'))).toBe('abcd');
  });

  it('fromUtf8 refuses invalid UTF-8 instead of guessing', () => {
    expect(() => fromUtf8(new Uint8Array([0xc3, 0x28]))).toThrow();
    expect(fromUtf8(utf8('Grüße, 世界'))).toBe('Grüße, 世界');
  });
});
