/** The JSON line every benchmark prints (one object per environment). */
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
