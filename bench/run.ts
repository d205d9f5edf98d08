/**
 * Benchmark runner: `npx tsx bench/run.ts [name...]` (or `npm run bench`).
 * Each `bench/<name>.ts` default-exports a function returning result objects;
 * the runner prints each as one JSON line on stdout (progress goes to
 * stderr), so the output can be piped straight into a file or `jq`.
 * Without names it runs every `bench/*.ts`. A file without a default export
 * is a standalone script (it measures when run): it is run as a child process
 * with its output passed through, never imported (importing would run it
 * inside this process).
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Bench } from './lib/result.ts';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));

async function allBenchNames(): Promise<string[]> {
  const files = await readdir(BENCH_DIR);
  return files
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function loadBench(name: string): Promise<Bench | null> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bench: bad name ${JSON.stringify(name)}`);
  const file = `${BENCH_DIR}${name}.ts`;
  if (!/^export default /m.test(await readFile(file, 'utf8'))) return null;
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  return typeof mod.default === 'function' ? (mod.default as Bench) : null;
}

function runScript(name: string): boolean {
  const child = spawnSync(process.execPath, ['--import', 'tsx', `${BENCH_DIR}${name}.ts`], {
    stdio: 'inherit',
  });
  return child.status === 0;
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  let failed = false;
  for (const name of names.length > 0 ? names : await allBenchNames()) {
    const bench = await loadBench(name);
    process.stderr.write(`bench: running ${name}…\n`);
    if (!bench) {
      if (!runScript(name)) failed = true;
      continue;
    }
    try {
      for (const result of await bench()) process.stdout.write(`${JSON.stringify(result)}\n`);
    } catch (err) {
      failed = true;
      process.stderr.write(`bench: ${name} failed: ${err instanceof Error ? err.stack : err}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}

await main();
