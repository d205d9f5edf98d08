import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatTimeLeft,
  percentDone,
  progressParts,
} from '../../../../../web/ui/files/format-transfer.ts';

describe('file sizes, rates and time left as people read them', () => {
  it('sizes step up by 1000 with one decimal below ten', () => {
    expect(formatBytes(0, 'en')).toBe('0 bytes');
    expect(formatBytes(1, 'en')).toBe('1 byte');
    expect(formatBytes(999, 'en')).toBe('999 bytes');
    expect(formatBytes(1500, 'en')).toBe('1.5 kB');
    expect(formatBytes(64 * 1024 * 1024, 'en')).toBe('67 MB');
    expect(formatBytes(3_200_000_000, 'en')).toBe('3.2 GB');
  });

  it('sizes use the language’s decimal separator', () => {
    expect(formatBytes(1500, 'de')).toBe('1,5 kB');
    expect(formatBytes(1500, 'es')).toBe('1,5 kB');
  });

  it('never shows a negative or four-digit mantissa', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 2 ** 50 }), (n) => {
        const shown = formatBytes(n, 'en');
        const mantissa = Number.parseFloat(shown.replace(/,/g, ''));
        expect(mantissa).toBeGreaterThanOrEqual(0);
        expect(mantissa).toBeLessThan(1000);
      }),
    );
  });

  it('time left reads as hours and minutes, minutes and seconds, or seconds', () => {
    expect(formatTimeLeft(45_000, 'en')).toBe('45 sec');
    expect(formatTimeLeft(200_000, 'en')).toBe('3 min 20 sec');
    expect(formatTimeLeft(12 * 60_000 + 5_000, 'en')).toBe('12 min');
    expect(formatTimeLeft(2 * 3_600_000 + 5 * 60_000, 'en')).toBe('2 hr 5 min');
    expect(formatTimeLeft(3_600_000, 'en')).toBe('1 hr');
    expect(formatTimeLeft(1_200, 'en')).toBe('2 sec');
    expect(formatTimeLeft(0, 'en')).toBeNull();
  });

  it('time left is translated', () => {
    expect(formatTimeLeft(200_000, 'de')).toBe('3 Min. 20 Sek.');
    expect(formatTimeLeft(45_000, 'es')).toBe('45 s');
  });

  it('the progressbar value is a whole percent within 0–100', () => {
    expect(percentDone(0, 0)).toBe(0);
    expect(percentDone(512, 1024)).toBe(50);
    expect(percentDone(1023, 1024)).toBe(99);
    expect(percentDone(2048, 1024)).toBe(100);
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (done, size) => {
        const p = percentDone(done, size);
        expect(Number.isInteger(p) && p >= 0 && p <= 100).toBe(true);
      }),
    );
  });

  it('a transfer that is not moving shows no rate or time', () => {
    const still = progressParts(
      { bytesDone: 10, size: 100, rateBytesPerSec: 0, etaMs: null },
      'en',
    );
    expect(still).toEqual({ done: '10 bytes', total: '100 bytes', rate: null, time: null });
    const moving = progressParts(
      { bytesDone: 2_000_000, size: 10_000_000, rateBytesPerSec: 1_000_000, etaMs: 8_000 },
      'en',
    );
    expect(moving).toEqual({ done: '2 MB', total: '10 MB', rate: '1 MB', time: '8 sec' });
  });
});
