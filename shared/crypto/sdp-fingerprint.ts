/**
 * The DTLS certificate fingerprint an SDP declares (`a=fingerprint:sha-256
 * AA:BB:…`, RFC 8122), as 32 raw bytes. The link handshake binds the
 * fingerprints each side actually applied, so a relay that swaps them in
 * signalling makes the handshake fail (CRYPTO.md "Link handshake").
 *
 * Strict on purpose: the SDP comes through the relay. One sha-256 value must
 * be present; it may be repeated (session level and per m-section, as
 * Chromium and libdatachannel do) but never conflict, because a relay could
 * otherwise offer the handshake one value and DTLS another. For the same
 * reason a fingerprint line of any other hash function is refused, not
 * skipped: WebRTC stacks keep the last a=fingerprint they parse, so a relay
 * appending `sha-512 <its own cert>` after the genuine sha-256 line would
 * have DTLS check its certificate while the handshake bound the genuine one.
 * Chromium, Firefox and libdatachannel all emit sha-256 only.
 */
import { LINK } from './constants.ts';
import { toHex } from './encoding.ts';
import { fail, ok, type Result } from './result.ts';

export type SdpFingerprintError =
  | 'SDP_INVALID'
  | 'SDP_TOO_LONG'
  | 'FINGERPRINT_MISSING'
  | 'FINGERPRINT_MALFORMED'
  | 'FINGERPRINT_CONFLICT'
  | 'FINGERPRINT_UNSUPPORTED_HASH';

const SHA256_BYTES = 32;
const ATTRIBUTE = 'a=fingerprint:';
// Hash function token and the colon-separated uppercase-or-lowercase hex value.
const FINGERPRINT_LINE = /^a=fingerprint:([!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+) +([0-9A-Fa-f:]+) *$/;
const SHA256_VALUE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){31}$/;

export function parseSdpFingerprint(sdp: string): Result<Uint8Array, SdpFingerprintError> {
  if (typeof sdp !== 'string') return fail('SDP_INVALID');
  if (sdp.length > LINK.maxSdpChars) return fail('SDP_TOO_LONG');

  let found: string | null = null;
  for (const rawLine of sdp.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (!line.startsWith(ATTRIBUTE)) continue;
    const match = FINGERPRINT_LINE.exec(line);
    if (!match) return fail('FINGERPRINT_MALFORMED');
    const hashName = match[1]!.toLowerCase();
    const value = match[2]!;
    if (hashName !== 'sha-256') return fail('FINGERPRINT_UNSUPPORTED_HASH');
    if (!SHA256_VALUE.test(value)) return fail('FINGERPRINT_MALFORMED');
    const normalised = value.toUpperCase();
    if (found !== null && found !== normalised) return fail('FINGERPRINT_CONFLICT');
    found = normalised;
  }
  if (found === null) return fail('FINGERPRINT_MISSING');

  const bytes = new Uint8Array(SHA256_BYTES);
  for (let i = 0; i < SHA256_BYTES; i++) {
    bytes[i] = Number.parseInt(found.slice(i * 3, i * 3 + 2), 16);
  }
  return ok(bytes);
}

/** The SDP spelling of a fingerprint (`AA:BB:…`, uppercase as RFC 8122 shows it). */
export function formatSdpFingerprint(bytes: Uint8Array): string {
  return (toHex(bytes).toUpperCase().match(/../g) ?? []).join(':');
}
