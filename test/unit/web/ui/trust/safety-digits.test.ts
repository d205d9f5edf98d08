import { describe, expect, it } from 'vitest';
import { safetyNumber } from '../../../../../shared/crypto/safety-number.ts';
import { loadSodium } from '../../../../../shared/crypto/sodium.ts';
import { qrSvg } from '../../../../../web/ui/trust/qr-image.ts';
import { groupSafetyDigits, safetyRows } from '../../../../../web/ui/trust/safety-digits.ts';

describe('showing a safety number', () => {
  it('shows 60 digits as twelve groups of five in three rows of four', () => {
    const digits = '012345678901234567890123456789012345678901234567890123456789';
    const groups = groupSafetyDigits(digits);
    expect(groups).toHaveLength(12);
    expect(groups.every((g) => /^\d{5}$/.test(g))).toBe(true);
    expect(groups.join('')).toBe(digits);
    expect(groups[0]).toBe('01234');
    expect(safetyRows(groups).map((r) => r.length)).toEqual([4, 4, 4]);
  });

  it('refuses anything that is not exactly 60 digits rather than show a wrong number', () => {
    expect(() => groupSafetyDigits('123')).toThrow(RangeError);
    expect(() => groupSafetyDigits(`${'1'.repeat(59)}x`)).toThrow(RangeError);
    expect(() => groupSafetyDigits('1'.repeat(61))).toThrow(RangeError);
  });

  it('both people see the same groups for the same pair of keys', async () => {
    await loadSodium();
    const alice = new Uint8Array(32).fill(1);
    const bob = new Uint8Array(32).fill(2);
    const mine = safetyNumber(alice, 'alice-id', bob, 'bob-id');
    const theirs = safetyNumber(bob, 'bob-id', alice, 'alice-id');
    expect(groupSafetyDigits(mine.digits)).toEqual(groupSafetyDigits(theirs.digits));
  });

  it('draws the scannable payload as a square QR code with a quiet zone', async () => {
    await loadSodium();
    const { scannable } = safetyNumber(
      new Uint8Array(32).fill(3),
      'a',
      new Uint8Array(32).fill(4),
      'b',
    );
    const svg = qrSvg(scannable);
    const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
    // 70 bytes in byte mode at level M needs version 5 (37 modules) or more, plus 2×4 quiet modules.
    expect(size).toBeGreaterThanOrEqual(37 + 8);
    expect(svg).toContain('fill="#000"');
    expect(svg).not.toMatch(/<script|href=/);
  });
});
