/**
 * Binary envelope for the crypto layer's own messages (handshake, sender-key
 * messages and distributions, file offers, persisted state):
 * `[version u8][type u8] ‖ frame(field, …)`. Decoding is strict — exact
 * version, type and field count, and per-field checks done by the caller —
 * and never throws: a peer's bytes are input from outside.
 */
import { WIRE_VERSION } from './constants.ts';
import { type Field, frame, fromUtf8, unframe } from './encoding.ts';

export function encodeWire(type: number, ...fields: Field[]): Uint8Array {
  const body = frame(...fields);
  const out = new Uint8Array(2 + body.length);
  out[0] = WIRE_VERSION;
  out[1] = type;
  out.set(body, 2);
  return out;
}

/**
 * The message's fields, or null when the version, type or field count is not
 * exactly as expected, or the framing is truncated / has trailing bytes.
 */
export function decodeWire(
  bytes: Uint8Array,
  type: number,
  fieldCount: number,
  maxBytes: number,
): Uint8Array[] | null {
  if (!(bytes instanceof Uint8Array) || bytes.length < 2 || bytes.length > maxBytes) return null;
  if (bytes[0] !== WIRE_VERSION || bytes[1] !== type) return null;
  let fields: Uint8Array[];
  try {
    fields = unframe(bytes.subarray(2));
  } catch {
    return null;
  }
  return fields.length === fieldCount ? fields : null;
}

/** An 8-byte big-endian field as a safe integer, else null. */
export function readU64(field: Uint8Array | undefined): number | null {
  if (field?.length !== 8) return null;
  const value = new DataView(field.buffer, field.byteOffset, 8).getBigUint64(0);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : null;
}

/** A field of exactly `length` bytes (copied, so callers may zero it), else null. */
export function readBytes(field: Uint8Array | undefined, length: number): Uint8Array | null {
  return field && field.length === length ? field.slice() : null;
}

/** A UTF-8 field of at most `maxBytes` bytes, else null (invalid UTF-8 included). */
export function readText(field: Uint8Array | undefined, maxBytes: number): string | null {
  if (!field || field.length > maxBytes) return null;
  try {
    return fromUtf8(field);
  } catch {
    return null;
  }
}
