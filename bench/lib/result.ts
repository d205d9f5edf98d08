/** The JSON line every benchmark prints (one object per environment or variant). */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { chromiumPath } from '../../test/support/chromium.ts';

export interface BenchResult {
  /** TARGETS.md id: R1–R5, P1–P8. */
  id: string;
  bench: string;
  env: 'node' | 'chromium';
  /** The headline figure (the one the target is about), in `unit`. */
  figure?: number | null;
  unit?: string;
  /** The comparisons measured in the same run (a peer, or the bare limit), in `unit`. */
  peers?: Record<string, number | null>;
  /** `figure` ÷ the first of `peers` (the comparison the target names). */
  ratio?: number | null;
  figures: Record<string, number | null>;
  target: Record<string, number>;
  /** Whether the figures meet the target, where that can be judged. */
  meetsTarget?: boolean;
  /** How it was measured where that is not obvious (scaled down, RTT/2, Node clients). */
  notes?: string;
  machine: { cores: number; memGiB: number; node: string; chromium?: string };
}

/** A benchmark module's default export. */
export type Bench = () => Promise<BenchResult[]> | BenchResult[];

/** Benchmarks read this (set by `bench/run.ts --quick`): fewer runs, smaller sizes. */
export const quick = process.env.PARLEY_BENCH_QUICK === '1' || process.argv.includes('--quick');

let installedChromium: string | undefined | null = null;

/** The installed Chromium's version, for results measured without a browser. */
function chromiumVersion(): string | undefined {
  if (installedChromium !== null) return installedChromium;
  try {
    const out = execFileSync(chromiumPath, ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    installedChromium = /(\d+\.\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    installedChromium = undefined;
  }
  return installedChromium;
}

/** What every result reports of the machine it ran on. */
export function machineInfo(chromiumVersionInUse?: string): BenchResult['machine'] {
  const chromium = chromiumVersionInUse ?? chromiumVersion();
  return {
    cores: os.cpus().length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...(chromium ? { chromium } : {}),
  };
}

/** a ÷ b to two decimals; null when either is missing. */
export function ratioOf(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}
