/** Quantiles over samples (nearest rank), rounded for printing. */

export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export function quantile(samples: readonly number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

/** Runs `one` `times` times in turn: each run's milliseconds. */
export async function timeEach(
  times: number,
  one: (i: number) => Promise<unknown>,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await one(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

export function summary(samples: readonly number[]): { p50: number; p95: number; p99: number } {
  return {
    p50: round2(quantile(samples, 0.5)),
    p95: round2(quantile(samples, 0.95)),
    p99: round2(quantile(samples, 0.99)),
  };
}
