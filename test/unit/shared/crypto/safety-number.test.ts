import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import { identityFromSeed, newIdentitySeed } from '../../../../shared/crypto/keys.ts';
import {
  compareScannable,
  displayableFingerprint,
  fingerprintHash,
  formatSafetyNumber,
  safetyNumber,
  scannableFingerprint,
} from '../../../../shared/crypto/safety-number.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';

// Top-level: the describe blocks below build keys while collecting.
await loadSodium();

/**
 * libsignal's published vectors (rust/protocol/src/fingerprint.rs,
 * `fingerprint_test_v1`; Java NumericFingerprintGeneratorTest
 * `testVectorsVersion1`): serialized Curve25519 identity keys (0x05 ‖ 32
 * bytes), phone numbers as stable ids, 5200 iterations.
 */
const SIGNAL = {
  aliceKey: fromHex('0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868'),
  bobKey: fromHex('05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b'),
  aliceId: utf8('+14152222222'),
  bobId: utf8('+14153333333'),
  displayable: '300354477692869396892869876765458257569162576843440918079131',
  aliceScannableV1:
    '080112220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df1a220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d',
  bobScannableV1:
    '080112220a20d62cbf73a11592015b6b9f1682ac306fea3aaf3885b84d12bca631e9d4fb3a4d1a220a201e301a0353dce3dbe7684cb8336e85136cdc0ee96219494ada305d62a7bd61df',
};

describe("safety numbers match libsignal's test vectors", () => {
  const aliceHash = () => fingerprintHash(SIGNAL.aliceKey, SIGNAL.aliceId, 5200);
  const bobHash = () => fingerprintHash(SIGNAL.bobKey, SIGNAL.bobId, 5200);

  it('the 60 displayed digits are exactly libsignal’s, seen from either side', () => {
    const a = aliceHash();
    const b = bobHash();
    expect(displayableFingerprint(a, b)).toBe(SIGNAL.displayable);
    expect(displayableFingerprint(b, a)).toBe(SIGNAL.displayable);
  });

  it('the QR payload is byte for byte libsignal’s CombinedFingerprints (version 1)', () => {
    const a = aliceHash();
    const b = bobHash();
    expect(toHex(scannableFingerprint(1, a, b))).toBe(SIGNAL.aliceScannableV1);
    expect(toHex(scannableFingerprint(1, b, a))).toBe(SIGNAL.bobScannableV1);
  });

  it('scanning the other side’s code verifies; scanning one’s own does not', () => {
    const alice = fromHex(SIGNAL.aliceScannableV1);
    const bob = fromHex(SIGNAL.bobScannableV1);
    expect(compareScannable(alice, bob)).toEqual({ ok: true, value: true });
    expect(compareScannable(bob, alice)).toEqual({ ok: true, value: true });
    expect(compareScannable(alice, alice)).toEqual({ ok: true, value: false });
  });

  it('matches libsignal’s fixed encoding of a scannable fingerprint', () => {
    const l = new Uint8Array(32).fill(0x12);
    const r = new Uint8Array(32).fill(0xba);
    expect(toHex(scannableFingerprint(2, l, r))).toBe(
      `080212220a20${'12'.repeat(32)}1a220a20${'ba'.repeat(32)}`,
    );
  });
});

describe('Parley safety numbers', () => {
  const alice = identityFromSeed(newIdentitySeed());
  const bob = identityFromSeed(newIdentitySeed());

  it('both parties see the same 60 digits', () => {
    const mine = safetyNumber(alice.publicKey, 'u_alice', bob.publicKey, 'u_bob');
    const theirs = safetyNumber(bob.publicKey, 'u_bob', alice.publicKey, 'u_alice');
    expect(mine.digits).toMatch(/^\d{60}$/);
    expect(theirs.digits).toBe(mine.digits);
    expect(compareScannable(mine.scannable, theirs.scannable)).toEqual({ ok: true, value: true });
    expect(formatSafetyNumber(mine.digits)).toMatch(/^(\d{5} ){11}\d{5}$/);
  });

  it('a key swapped in by the relay changes the number and fails the QR check', () => {
    const mallory = identityFromSeed(newIdentitySeed());
    // Alice was handed Mallory's key for Bob; Bob sees Alice's real key.
    const aliceView = safetyNumber(alice.publicKey, 'u_alice', mallory.publicKey, 'u_bob');
    const bobView = safetyNumber(bob.publicKey, 'u_bob', alice.publicKey, 'u_alice');
    expect(aliceView.digits).not.toBe(bobView.digits);
    expect(compareScannable(aliceView.scannable, bobView.scannable)).toEqual({
      ok: true,
      value: false,
    });
  });

  it('the user id is part of the number', () => {
    const a = safetyNumber(alice.publicKey, 'u_alice', bob.publicKey, 'u_bob');
    const b = safetyNumber(alice.publicKey, 'u_alice', bob.publicKey, 'u_bobby');
    expect(a.digits).not.toBe(b.digits);
  });

  it('a malformed or other-version QR payload is reported, not thrown on', () => {
    const mine = safetyNumber(alice.publicKey, 'u_alice', bob.publicKey, 'u_bob').scannable;
    expect(compareScannable(mine, mine.subarray(1))).toEqual({ ok: false, code: 'SCAN_MALFORMED' });
    expect(compareScannable(mine, new Uint8Array(0))).toEqual({
      ok: false,
      code: 'SCAN_MALFORMED',
    });
    const trailing = new Uint8Array(mine.length + 1);
    trailing.set(mine);
    expect(compareScannable(mine, trailing)).toEqual({ ok: false, code: 'SCAN_MALFORMED' });
    const v2 = mine.slice();
    v2[1] = 2;
    expect(compareScannable(mine, v2)).toEqual({ ok: false, code: 'SCAN_VERSION_MISMATCH' });
  });

  it('refuses iteration counts libsignal refuses', () => {
    expect(() => fingerprintHash(alice.publicKey, utf8('u'), 1)).toThrow(RangeError);
    expect(() => fingerprintHash(alice.publicKey, utf8('u'), 1_000_001)).toThrow(RangeError);
  });
});
