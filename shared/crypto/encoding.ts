/**
 * Canonical byte encoding for everything signed or hashed. Each field is
 * framed as a 4-byte big-endian length followed by its bytes, so no two
 * different field lists encode the same (CRYPTO.md: "never ambiguous").
 * Strings are UTF-8; numbers are non-negative safe integers as 8-byte
 * big-endian.
 */

export type Field = Uint8Array | string | number;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

export function u64(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`parley/encoding: not a non-negative safe integer: ${value}`);
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

// A lone surrogate has no UTF-8 form: TextEncoder writes U+FFFD for it, so
// "\uD800" and "\uFFFD" would frame (and sign) the same bytes.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * True for a string that survives UTF-8 and back unchanged (no lone
 * surrogates): the one test of "well-formed text" — frame() refuses anything
 * else, and callers check outside input with it before framing.
 */
export function isWellFormedText(text: string): boolean {
  return typeof text === 'string' && !LONE_SURROGATE.test(text);
}

function fieldBytes(field: Field): Uint8Array {
  if (typeof field === 'string') {
    if (!isWellFormedText(field)) {
      throw new RangeError('parley/encoding: string field is not well-formed UTF-16');
    }
    return utf8(field);
  }
  if (typeof field === 'number') return u64(field);
  return field;
}

/** Length-prefixed concatenation: the one way signed/hashed input is built. */
export function frame(...fields: Field[]): Uint8Array {
  const parts = fields.map(fieldBytes);
  const total = parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const part of parts) {
    view.setUint32(at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

/**
 * frame() over values from outside (a user id, params from the relay) that
 * it may refuse — a lone surrogate, a negative number: null, to be reported
 * as malformed input rather than thrown.
 */
export function tryFrame(build: () => Uint8Array): Uint8Array | null {
  try {
    return build();
  } catch {
    return null;
  }
}

/** Splits what `frame` built; throws on trailing or truncated input. */
export function unframe(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw new RangeError('parley/encoding: truncated frame header');
    const len = view.getUint32(at);
    if (at + 4 + len > bytes.length) throw new RangeError('parley/encoding: truncated frame');
    out.push(bytes.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_LOOKUP[B64URL.charCodeAt(i)] = i;

/** base64url without padding: how keys and signatures travel in JSON. */
export function toB64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  return out;
}

/** Strict base64url decode (no padding, no whitespace); throws on bad input. */
export function fromB64(text: string): Uint8Array {
  // A non-string (a number from JSON) would otherwise decode to empty bytes.
  if (typeof text !== 'string') throw new RangeError('parley/encoding: base64url must be a string');
  if (text.length % 4 === 1) throw new RangeError('parley/encoding: bad base64url length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? B64URL_LOOKUP[code]! : -1;
    if (v < 0) throw new RangeError('parley/encoding: bad base64url character');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  // Non-canonical encodings (leftover bits set) would let two strings name
  // the same key; reject them.
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) {
    throw new RangeError('parley/encoding: non-canonical base64url');
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
    throw new RangeError('parley/encoding: bad hex');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
