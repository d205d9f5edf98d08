/**
 * Safety numbers (CRYPTO.md "Pinning and verification"): Signal's numeric
 * fingerprint, byte for byte as libsignal's `Fingerprint` /
 * `NumericFingerprintGenerator` (rust/protocol/src/fingerprint.rs):
 *
 *   h_0 = SHA-512(0x0000 ‖ key ‖ stableId ‖ key)
 *   h_i = SHA-512(h_{i-1} ‖ key)            for i = 1 … 5199 (5200 hashes)
 *   half = six 5-digit groups: bytes [5k, 5k+5) of h as a big-endian
 *          integer mod 100000, zero-padded
 *   displayed = the two halves, the lexically smaller first
 *
 * so both parties see the same 60 digits. Checked against libsignal's test
 * vectors in the tests.
 *
 * Parley's "key" is the raw 32-byte Ed25519 identity public key; the stable
 * identifier is the user id in UTF-8. libsignal serializes its Curve25519 key
 * as 0x05 ‖ 32 bytes (a key-type byte); Parley has a single IK type, so it
 * adds no type byte. The generic functions take any key bytes, which is how
 * libsignal's 33-byte vectors are checked.
 *
 * QR payload: exactly libsignal's `CombinedFingerprints` protobuf
 * (`08 version 12 22 0a 20 <local 32> 1a 22 0a 20 <remote 32>`), with
 * Parley's own version number (SAFETY_NUMBER.scannableVersion); it carries the
 * first 32 bytes of each fingerprint hash. Parsing accepts only that layout.
 */
import { SAFETY_NUMBER } from './constants.ts';
import { utf8 } from './encoding.ts';
import { fail, ok, type Result } from './result.ts';
import { sodium } from './sodium.ts';

const FINGERPRINT_VERSION = new Uint8Array([0, 0]);
const DISPLAY_CHUNKS = 6;
const DISPLAY_CHUNK_BYTES = 5;
const SCANNABLE_FINGERPRINT_BYTES = 32;
const MAX_ITERATIONS = 1_000_000;

export type ScannableError = 'SCAN_MALFORMED' | 'SCAN_VERSION_MISMATCH';

export interface SafetyNumber {
  /** 60 digits, no separators. */
  digits: string;
  /** My QR payload: the other party scans it and calls `compareScannable`. */
  scannable: Uint8Array;
}

/** Iterated SHA-512 of one party's key and stable identifier (64 bytes). */
export function fingerprintHash(
  publicKey: Uint8Array,
  stableId: Uint8Array,
  iterations: number = SAFETY_NUMBER.iterations,
): Uint8Array {
  if (!Number.isInteger(iterations) || iterations <= 1 || iterations > MAX_ITERATIONS) {
    throw new RangeError(`parley/safety-number: bad iteration count ${iterations}`);
  }
  const s = sodium();
  const first = new Uint8Array(2 + 2 * publicKey.length + stableId.length);
  first.set(FINGERPRINT_VERSION, 0);
  first.set(publicKey, 2);
  first.set(stableId, 2 + publicKey.length);
  first.set(publicKey, 2 + publicKey.length + stableId.length);
  let hash = s.crypto_hash_sha512(first);
  // One reused buffer (hash ‖ key): 5200 single-shot hashes cost less than
  // 5200 init/update/update/final round trips into wasm.
  const buf = new Uint8Array(hash.length + publicKey.length);
  buf.set(publicKey, hash.length);
  for (let i = 1; i < iterations; i++) {
    buf.set(hash, 0);
    hash = s.crypto_hash_sha512(buf);
  }
  return hash;
}

/** One party's 30 digits. */
export function displayHalf(hash: Uint8Array): string {
  if (hash.length < DISPLAY_CHUNKS * DISPLAY_CHUNK_BYTES) {
    throw new RangeError('parley/safety-number: fingerprint too short');
  }
  let out = '';
  for (let c = 0; c < DISPLAY_CHUNKS; c++) {
    let value = 0;
    for (let b = 0; b < DISPLAY_CHUNK_BYTES; b++) {
      // 40-bit values: exact in a double, no BigInt needed.
      value = value * 256 + hash[c * DISPLAY_CHUNK_BYTES + b]!;
    }
    out += String(value % 100_000).padStart(5, '0');
  }
  return out;
}

/** The 60 digits both parties see: the smaller half first (libsignal's order). */
export function displayableFingerprint(localHash: Uint8Array, remoteHash: Uint8Array): string {
  const local = displayHalf(localHash);
  const remote = displayHalf(remoteHash);
  return local < remote ? local + remote : remote + local;
}

/** libsignal's `CombinedFingerprints` protobuf with fixed-size fields. */
export function scannableFingerprint(
  version: number,
  localHash: Uint8Array,
  remoteHash: Uint8Array,
): Uint8Array {
  if (
    localHash.length < SCANNABLE_FINGERPRINT_BYTES ||
    remoteHash.length < SCANNABLE_FINGERPRINT_BYTES
  ) {
    throw new RangeError('parley/safety-number: fingerprint too short');
  }
  const versionVarint = varint(version);
  const fieldBytes = 4 + SCANNABLE_FINGERPRINT_BYTES;
  const out = new Uint8Array(1 + versionVarint.length + 2 * fieldBytes);
  let at = 0;
  out[at++] = 0x08; // field 1 (version), varint
  out.set(versionVarint, at);
  at += versionVarint.length;
  for (const [tag, hash] of [
    [0x12, localHash],
    [0x1a, remoteHash],
  ] as const) {
    // field 2 / 3 (LogicalFingerprint, 34 bytes) holding field 1 (content, 32 bytes)
    out.set([tag, 2 + SCANNABLE_FINGERPRINT_BYTES, 0x0a, SCANNABLE_FINGERPRINT_BYTES], at);
    out.set(hash.subarray(0, SCANNABLE_FINGERPRINT_BYTES), at + 4);
    at += fieldBytes;
  }
  return out;
}

function varint(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`parley/safety-number: bad version ${value}`);
  }
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return new Uint8Array(bytes);
}

interface ParsedScannable {
  version: number;
  local: Uint8Array;
  remote: Uint8Array;
}

function parseScannable(bytes: Uint8Array): ParsedScannable | null {
  if (bytes[0] !== 0x08) return null;
  let at = 1;
  let version = 0;
  let scale = 1;
  for (;;) {
    const b = bytes[at++];
    if (b === undefined || at > 6) return null;
    version += (b & 0x7f) * scale;
    scale *= 0x80;
    if ((b & 0x80) === 0) break;
  }
  const parts: Uint8Array[] = [];
  for (const tag of [0x12, 0x1a]) {
    if (
      bytes[at] !== tag ||
      bytes[at + 1] !== 2 + SCANNABLE_FINGERPRINT_BYTES ||
      bytes[at + 2] !== 0x0a ||
      bytes[at + 3] !== SCANNABLE_FINGERPRINT_BYTES
    ) {
      return null;
    }
    parts.push(bytes.subarray(at + 4, at + 4 + SCANNABLE_FINGERPRINT_BYTES));
    at += 4 + SCANNABLE_FINGERPRINT_BYTES;
  }
  if (at !== bytes.length) return null;
  return { version, local: parts[0]!, remote: parts[1]! };
}

/**
 * True when the scanned code is the other side's view of the same two keys:
 * their "local" is my "remote" and the other way round (so scanning my own
 * code does not verify). Constant-time compare.
 */
export function compareScannable(
  mine: Uint8Array,
  scanned: Uint8Array,
): Result<boolean, ScannableError> {
  const a = parseScannable(mine);
  const b = parseScannable(scanned);
  if (!a || !b) return fail('SCAN_MALFORMED');
  if (a.version !== b.version) return fail('SCAN_VERSION_MISMATCH');
  const s = sodium();
  const same1 = s.memcmp(a.local, b.remote);
  const same2 = s.memcmp(a.remote, b.local);
  return ok(same1 && same2);
}

/** Parley's safety number for me and a contact (identity keys + user ids). */
export function safetyNumber(
  myIkPk: Uint8Array,
  myUserId: string,
  theirIkPk: Uint8Array,
  theirUserId: string,
): SafetyNumber {
  const local = fingerprintHash(myIkPk, utf8(myUserId));
  const remote = fingerprintHash(theirIkPk, utf8(theirUserId));
  return {
    digits: displayableFingerprint(local, remote),
    scannable: scannableFingerprint(SAFETY_NUMBER.scannableVersion, local, remote),
  };
}

/** "12345 67890 …": 12 groups of five, as Signal shows them. */
export function formatSafetyNumber(digits: string): string {
  return digits.match(/\d{5}/g)?.join(' ') ?? digits;
}
