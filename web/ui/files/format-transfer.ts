/**
 * Sizes, rates and time left as people read them, in their language.
 * Pure (the locale is a parameter) so the unit tests pin the output.
 * Decimal units (1 kB = 1000 B): that is what `Intl`'s unit names mean.
 */

const BYTE_UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const;
const BYTES_PER_STEP = 1000;
const SECONDS_PER_MINUTE = 60;
const SECONDS_PER_HOUR = 3600;

/** "0 byte", "999 byte", "1.5 kB", "12 MB", "3.2 GB" (localized). */
export function formatBytes(bytes: number, locale: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= BYTES_PER_STEP && unit < BYTE_UNITS.length - 1) {
    value /= BYTES_PER_STEP;
    unit++;
  }
  // One decimal below 10 ("1.5 MB"), whole numbers above ("15 MB", "150 MB").
  const digitsFor = (v: number, u: number) => (u === 0 || v >= 10 ? 0 : 1);
  // 999 999 bytes would round to "1,000 kB": carry into the next unit instead.
  const rounded = (v: number, u: number) => {
    const f = 10 ** digitsFor(v, u);
    return Math.round(v * f) / f;
  };
  if (rounded(value, unit) >= BYTES_PER_STEP && unit < BYTE_UNITS.length - 1) {
    value /= BYTES_PER_STEP;
    unit++;
  }
  const digits = digitsFor(value, unit);
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: BYTE_UNITS[unit] ?? 'byte',
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: digits,
    minimumFractionDigits: 0,
  }).format(value);
}

/** "2 h 5 min", "3 min 20 s", "45 s"; null when under a second. */
export function formatTimeLeft(ms: number, locale: string): string | null {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  if (total < 1) return null;
  const unit = (value: number, name: 'hour' | 'minute' | 'second') =>
    new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'short' }).format(
      value,
    );
  const hours = Math.floor(total / SECONDS_PER_HOUR);
  const minutes = Math.floor((total % SECONDS_PER_HOUR) / SECONDS_PER_MINUTE);
  const seconds = total % SECONDS_PER_MINUTE;
  if (hours > 0)
    return minutes > 0 ? `${unit(hours, 'hour')} ${unit(minutes, 'minute')}` : unit(hours, 'hour');
  if (minutes > 0)
    return seconds > 0 && minutes < 10
      ? `${unit(minutes, 'minute')} ${unit(seconds, 'second')}`
      : unit(minutes, 'minute');
  return unit(seconds, 'second');
}

/** Whole percent for a progressbar's aria-valuenow (0 for an empty file that has not finished). */
export function percentDone(bytesDone: number, size: number): number {
  if (size <= 0) return 0;
  return Math.min(100, Math.max(0, Math.floor((bytesDone / size) * 100)));
}

export interface ProgressParts {
  done: string;
  total: string;
  /** Null while the transfer is not moving or its rate is not known yet. */
  rate: string | null;
  time: string | null;
}

export function progressParts(
  p: { bytesDone: number; size: number; rateBytesPerSec: number; etaMs: number | null },
  locale: string,
): ProgressParts {
  return {
    done: formatBytes(p.bytesDone, locale),
    total: formatBytes(p.size, locale),
    rate: p.rateBytesPerSec > 0 ? formatBytes(p.rateBytesPerSec, locale) : null,
    time: p.etaMs === null ? null : formatTimeLeft(p.etaMs, locale),
  };
}
