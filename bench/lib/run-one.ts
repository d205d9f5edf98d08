/**
 * Runs one benchmark module in this process (bench/run.ts starts one of these
 * per benchmark, so a hung or crashing benchmark cannot take the others with
 * it, and killing this process group closes its browsers and servers):
 * imports the file, calls its default export and prints every result as one
 * JSON line on stdout.
 *
 *   node --import tsx bench/lib/run-one.ts bench/<name>.ts [--quick]
 */
import { pathToFileURL } from 'node:url';
import type { Bench } from './result.ts';

const file = process.argv[2];
if (!file) throw new Error('usage: run-one.ts <bench file> [--quick]');
const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
if (typeof mod.default !== 'function') throw new Error(`${file}: no default export function`);
for (const result of await (mod.default as Bench)()) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
// Native stacks (node-datachannel) and stray handles can keep the process alive.
process.exit(0);
