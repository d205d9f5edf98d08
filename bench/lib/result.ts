/** The JSON line every benchmark prints (one object per environment). */
import os from 'node:os';
export interface BenchResult {
  id: string;
  bench: string;
  env: 'node' | 'chromium';
  figures: Record<string, number | null>;
  target: Record<string, number>;
  /** Whether the figures meet the target, where that can be judged. */
  meetsTarget?: boolean;
  machine: { cores: number; memGiB: number; node: string; chromium?: string };
}

/** A benchmark module's default export. */
export type Bench = () => Promise<BenchResult[]> | BenchResult[];

/** What every result reports of the machine it ran on. */
export function machineInfo(chromiumVersion?: string): BenchResult['machine'] {
  return {
    cores: os.cpus().length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    ...(chromiumVersion ? { chromium: chromiumVersion } : {}),
  };
}
