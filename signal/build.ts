/**
 * Bundles the relay CLI to dist/relay.mjs: one ESM file for Node 20 with
 * dependencies left external (they come from node_modules; better-sqlite3 is
 * native and cannot be bundled anyway).
 */
import { build } from 'esbuild';

const started = performance.now();
await build({
  entryPoints: ['signal/main.ts'],
  outfile: 'dist/relay.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
process.stdout.write(`dist/relay.mjs built in ${Math.round(performance.now() - started)} ms\n`);
