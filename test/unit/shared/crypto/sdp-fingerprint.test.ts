import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../shared/crypto/encoding.ts';
import {
  formatSdpFingerprint,
  parseSdpFingerprint,
} from '../../../../shared/crypto/sdp-fingerprint.ts';

const FP =
  'A1:B2:C3:D4:E5:F6:07:18:29:3A:4B:5C:6D:7E:8F:90:01:12:23:34:45:56:67:78:89:9A:AB:BC:CD:DE:EF:F0';
const FP_HEX = FP.replaceAll(':', '').toLowerCase();
const OTHER =
  '00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF';

/** A data-channel-only offer as Chromium writes it: fingerprint per m-section. */
function chromiumOffer(fp = FP): string {
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=candidate:1467250027 1 udp 2122260223 192.168.1.7 46243 typ host generation 0 network-id 1',
    'a=ice-ufrag:Xk4q',
    'a=ice-pwd:cy3pN1O0OmK2oxzW8rqWQJyL',
    'a=ice-options:trickle',
    `a=fingerprint:sha-256 ${fp}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    '',
  ].join('\r\n');
}

/**
 * A real libdatachannel 0.33 (node-datachannel) offer: the fingerprint at
 * session level only.
 */
function libdatachannelOffer(fp = FP): string {
  return [
    'v=0',
    'o=rtc 2506078111 0 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic:WMS *',
    'a=ice-options:ice2,trickle',
    `a=fingerprint:sha-256 ${fp}`,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'a=sendrecv',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    'a=setup:actpass',
    'a=ice-ufrag:FqLs',
    'a=ice-pwd:48VvdraKyKvTDHcGZmBT/V',
    '',
  ].join('\r\n');
}

/** The same value at session level and in the media section (lowercase at one of them). */
function twoLevels(sessionFp = FP, mediaFp = FP): string {
  return libdatachannelOffer(sessionFp.toLowerCase()).replace(
    'a=mid:0',
    `a=mid:0\r\na=fingerprint:sha-256 ${mediaFp}`,
  );
}

describe('SDP fingerprint', () => {
  it('reads the sha-256 fingerprint of a Chromium offer as 32 raw bytes', () => {
    const result = parseSdpFingerprint(chromiumOffer());
    expect(result.ok && toHex(result.value)).toBe(FP_HEX);
  });

  it('reads the session-level fingerprint of a libdatachannel offer', () => {
    const result = parseSdpFingerprint(libdatachannelOffer());
    expect(result.ok && toHex(result.value)).toBe(FP_HEX);
  });

  it('accepts the same value at session and media level, in any letter case', () => {
    const result = parseSdpFingerprint(twoLevels());
    expect(result.ok && toHex(result.value)).toBe(FP_HEX);
  });

  it('accepts LF-only line endings and a SHA-256 token in capitals', () => {
    const sdp = chromiumOffer().replaceAll('\r\n', '\n').replace('sha-256', 'SHA-256');
    const result = parseSdpFingerprint(sdp);
    expect(result.ok && toHex(result.value)).toBe(FP_HEX);
  });

  it('rejects an SDP with no fingerprint', () => {
    const sdp = chromiumOffer().replace(/a=fingerprint:[^\r]*\r\n/, '');
    expect(parseSdpFingerprint(sdp)).toEqual({ ok: false, code: 'FINGERPRINT_MISSING' });
  });

  it('rejects two different sha-256 fingerprints (a relay offering one to DTLS and one to us)', () => {
    expect(parseSdpFingerprint(twoLevels(FP, OTHER))).toEqual({
      ok: false,
      code: 'FINGERPRINT_CONFLICT',
    });
  });

  it('rejects an SDP that offers only another hash function', () => {
    const sdp = chromiumOffer().replace(
      `a=fingerprint:sha-256 ${FP}`,
      'a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
    );
    expect(parseSdpFingerprint(sdp)).toEqual({ ok: false, code: 'FINGERPRINT_UNSUPPORTED_HASH' });
  });

  it('refuses a second fingerprint of another hash next to the sha-256 one (DTLS could check that one)', () => {
    for (const extra of [
      'a=fingerprint:sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB',
      `a=fingerprint:sha-512 ${Array.from({ length: 64 }, () => '5E').join(':')}`,
    ]) {
      const sdp = chromiumOffer().replace('a=setup:actpass', `${extra}\r\na=setup:actpass`);
      expect(parseSdpFingerprint(sdp)).toEqual({
        ok: false,
        code: 'FINGERPRINT_UNSUPPORTED_HASH',
      });
    }
  });

  it('rejects a sha-256 value of the wrong length or with bad characters', () => {
    for (const bad of [
      FP.slice(0, -3),
      `${FP}:00`,
      FP.replace('A1', 'G1'),
      FP.replaceAll(':', ''),
    ]) {
      expect(parseSdpFingerprint(chromiumOffer(bad))).toEqual({
        ok: false,
        code: 'FINGERPRINT_MALFORMED',
      });
    }
  });

  it('rejects an oversized SDP before parsing it', () => {
    const huge = chromiumOffer() + 'a=x\r\n'.repeat(20_000);
    expect(parseSdpFingerprint(huge)).toEqual({ ok: false, code: 'SDP_TOO_LONG' });
  });

  it('round-trips any fingerprint through its SDP spelling', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const result = parseSdpFingerprint(chromiumOffer(formatSdpFingerprint(bytes)));
        expect(result.ok && toHex(result.value)).toBe(toHex(bytes));
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (junk) => {
        const result = parseSdpFingerprint(`${junk}\r\na=fingerprint:${junk}`);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 100 },
    );
  });
});
