/**
 * Browser only (the chromium project runs `*.browser.test.ts`; the Node unit
 * project excludes them): a real offer's fingerprint against its
 * certificate's own.
 */
import { describe, expect, it } from 'vitest';
import {
  formatSdpFingerprint,
  parseSdpFingerprint,
} from '../../../../shared/crypto/sdp-fingerprint.ts';

describe('SDP fingerprint in a real browser', () => {
  it("reads the fingerprint of a real browser offer, equal to its certificate's", async () => {
    const certificate = await RTCPeerConnection.generateCertificate({
      name: 'ECDSA',
      namedCurve: 'P-256',
    } as EcKeyGenParams);
    const pc = new RTCPeerConnection({ iceServers: [], certificates: [certificate] });
    try {
      pc.createDataChannel('parley');
      const offer = await pc.createOffer();
      const expected = certificate.getFingerprints().find((f) => f.algorithm === 'sha-256');
      const result = parseSdpFingerprint(offer.sdp ?? '');
      expect(result.ok && formatSdpFingerprint(result.value)).toBe(expected?.value?.toUpperCase());
    } finally {
      pc.close();
    }
  });
});
