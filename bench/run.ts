/**
 * Benchmark runner: `npm run bench` runs every benchmark, `npm run bench --
 * <name or id>...` some of them (`p4`, `R1`, `file-throughput`), `--quick`
 * runs each one shortened, `--list` shows what there is.
 *
 * A benchmark is any `bench/<name>.ts`. One with a default export is a
 * function returning result objects (`BenchResult`, bench/lib/result.ts): it
 * runs in a child process (bench/lib/run-one.ts) and the runner prints each
 * result as one JSON line on stdout. One without a default export is a
 * standalone script run as it is; the JSON lines it prints are passed on.
 * Every other line goes to stderr, so stdout is pure JSON lines for `jq` or
 * a file. Which TARGETS ids a file measures is read from its source
 * (`id: 'P4'`) or its name (`p4-…`), so new benchmarks plug in by existing.
 *
 * Each benchmark gets a time limit (PARLEY_BENCH_TIMEOUT_S, default 420 s,
 * 180 s with --quick); past it, its process group is stopped (SIGTERM, then
 * SIGKILL), which closes the browsers and servers it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type BenchResult, machineInfo } from './lib/result.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const ID_ORDER = ['R1', 'R2', 'R3', 'R4', 'R5', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'];
const KILL_GRACE_MS = 10_000;

interface BenchFile {
  name: string;
  path: string;
  ids: string[];
  hasDefault: boolean;
}

function discover(): BenchFile[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
    .map((f) => {
      const path = join(BENCH_DIR, f);
      const source = readFileSync(path, 'utf8');
      const ids = new Set<string>();
      for (const m of source.matchAll(/\bid: '([RP]\d)'/g)) if (m[1]) ids.add(m[1]);
      const prefix = /^([rp]\d)[-_]/.exec(f)?.[1];
      if (prefix) ids.add(prefix.toUpperCase());
      return {
        name: f.slice(0, -3),
        path,
        ids: [...ids].sort((a, b) => ID_ORDER.indexOf(a) - ID_ORDER.indexOf(b)),
        hasDefault: /^export default /m.test(source),
      };
    })
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

function rank(file: BenchFile): number {
  const first = file.ids[0];
  return first ? ID_ORDER.indexOf(first) : ID_ORDER.length;
}

function select(all: BenchFile[], wanted: string[]): BenchFile[] {
  if (wanted.length === 0) return all;
  const chosen = new Set<BenchFile>();
  for (const w of wanted) {
    const id = w.toUpperCase();
    const hits = all.filter((f) => f.name === w || f.ids.includes(id));
    if (hits.length === 0) {
      const known = all.map((f) => `${f.name} (${f.ids.join(', ') || '-'})`).join('\n  ');
      throw new Error(`bench: nothing called ${JSON.stringify(w)}; there is:\n  ${known}`);
    }
    for (const h of hits) chosen.add(h);
  }
  return all.filter((f) => chosen.has(f));
}

let current: ChildProcess | null = null;

function stopGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Runs one benchmark file in its own process group; resolves with its results. */
function runFile(file: BenchFile, quick: boolean, timeoutMs: number): Promise<BenchResult[]> {
  const script = file.hasDefault ? [join(BENCH_DIR, 'lib', 'run-one.ts'), file.path] : [file.path];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...script, ...(quick ? ['--quick'] : [])],
    {
      cwd: join(BENCH_DIR, '..'),
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(quick ? { PARLEY_BENCH_QUICK: '1' } : {}) },
    },
  );
  current = child;
  const results: BenchResult[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const parsed = parseResult(line);
    if (parsed) {
      const result = { ...parsed, machine: parsed.machine ?? machineInfo() };
      results.push(result);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } else if (line.trim()) {
      process.stderr.write(`${line}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stopGroup(child, 'SIGTERM');
      setTimeout(() => stopGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Whatever it left behind (a browser, a server) goes with its group.
      stopGroup(child, 'SIGKILL');
      current = null;
      if (timedOut) reject(new Error(`timed out after ${timeoutMs / 1000} s`));
      else if (code !== 0) reject(new Error(`exited with ${code ?? signal}`));
      else resolve(results);
    });
  });
}

function parseResult(line: string): BenchResult | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as Partial<BenchResult>;
    return typeof value.id === 'string' && typeof value.figures === 'object'
      ? (value as BenchResult)
      : null;
  } catch {
    return null;
  }
}

function fmt(x: number | null | undefined): string {
  return x == null ? '—' : String(x);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const all = discover();
  if (args.includes('--list')) {
    for (const f of all) process.stderr.write(`${f.name.padEnd(20)} ${f.ids.join(' ')}\n`);
    return;
  }
  const files = select(
    all,
    args.filter((a) => !a.startsWith('--')),
  );
  const timeoutMs = Number(process.env.PARLEY_BENCH_TIMEOUT_S ?? (quick ? 180 : 420)) * 1000;
  const summary: string[] = [];
  const failed: string[] = [];
  const t0 = Date.now();
  for (const file of files) {
    const started = Date.now();
    process.stderr.write(`bench: ${file.name} (${file.ids.join(', ') || 'no id'})…\n`);
    try {
      const results = await runFile(file, quick, timeoutMs);
      for (const r of results) {
        summary.push(
          `${r.id.padEnd(3)} ${r.bench.padEnd(40)} ${fmt(r.figure).padStart(9)} ${(r.unit ?? '').padEnd(12)} ratio ${fmt(r.ratio).padEnd(6)} ${r.meetsTarget === undefined ? '' : r.meetsTarget ? 'meets' : 'MISSES'}`,
        );
      }
    } catch (err) {
      failed.push(file.name);
      process.stderr.write(
        `bench: ${file.name} failed: ${err instanceof Error ? err.message : err}\n`,
      );
    }
    process.stderr.write(
      `bench: ${file.name} took ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
  }
  process.stderr.write(
    `\nbench: ${files.length} benchmarks in ${((Date.now() - t0) / 1000).toFixed(0)} s${quick ? ' (quick)' : ''}\n${summary.join('\n')}\n`,
  );
  if (failed.length) {
    process.stderr.write(`bench: failed: ${failed.join(', ')}\n`);
    process.exitCode = 1;
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (current) stopGroup(current, 'SIGTERM');
    process.exit(130);
  });
}

await main();
