/**
 * P7 — bundle (TARGETS.md): builds the web app exactly as `npm run build`
 * does (`web/build.ts`: esbuild, minified, code splitting) and weighs its
 * output gzipped at level 9, read through the build's metafile
 * (`dist/web-meta.json`):
 *  - the initial load: the entry (`app.js`) and every chunk it imports
 *    statically, transitively, without libsodium's chunk, plus the CSS;
 *  - libsodium's chunk (the output holding libsodium-wrappers-sumo), and
 *    whether the initial load reaches it statically (it should not: loaded
 *    lazily or in parallel);
 *  - all JavaScript without sodium, and the total of everything served.
 * Beside them, in the same run, the same gzip of preact's own bundle and of
 * libsodium-sumo's: what a page gets for "just preact" and "just sodium".
 *
 *   npm run bench -- bundle-size      (or p7)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BenchResult, machineInfo, ratioOf } from './lib/result.ts';
import { round2 } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUILD_TIMEOUT_MS = 180_000;
const TARGET_INITIAL_KB = 60;
const SODIUM_INPUT = /node_modules\/libsodium(-wrappers)?-sumo\//;

interface MetaOutput {
  bytes: number;
  entryPoint?: string;
  inputs: Record<string, unknown>;
  imports: Array<{ path: string; kind: string }>;
}

const gzKB = (bytes: Uint8Array) => round2(gzipSync(bytes, { level: 9 }).length / 1024);

function build(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'web', 'build.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: BUILD_TIMEOUT_MS,
  });
  if (r.status !== 0) throw new Error(`web/build.ts failed (${r.status ?? r.signal})`);
}

/** Outputs reachable from `start` through static imports (the start included). */
function staticClosure(outputs: Record<string, MetaOutput>, start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imp of outputs[path]?.imports ?? []) {
      if (imp.kind === 'import-statement') visit(imp.path);
    }
  };
  visit(start);
  return seen;
}

/** A package's own browser bundle (as published), gzipped: the reference sizes. */
function packageGzKB(pathInNodeModules: string): number | null {
  try {
    return gzKB(readFileSync(join(ROOT, 'node_modules', pathInNodeModules)));
  } catch {
    return null;
  }
}

export default function bundleSize(): BenchResult[] {
  build();
  const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'web-meta.json'), 'utf8')) as {
    outputs: Record<string, MetaOutput>;
  };
  const outputs = meta.outputs;
  const served = Object.keys(outputs).filter((p) => /\.(js|css)$/.test(p));
  const gz = new Map(served.map((p) => [p, gzKB(readFileSync(join(ROOT, p)))]));
  const sum = (paths: Iterable<string>) =>
    round2([...paths].reduce((t, p) => t + (gz.get(p) ?? 0), 0));

  const entry = served.find((p) => outputs[p]?.entryPoint?.endsWith('web/ui/main.tsx'));
  if (!entry) throw new Error('bench/bundle-size: no output for web/ui/main.tsx in the metafile');
  const sodiumChunks = served.filter((p) =>
    Object.keys(outputs[p]?.inputs ?? {}).some((i) => SODIUM_INPUT.test(i)),
  );
  const closure = staticClosure(outputs, entry);
  const initialJs = [...closure].filter((p) => p.endsWith('.js') && !sodiumChunks.includes(p));
  const entryCss = entry.replace(/\.js$/, '.css');
  const initialCss = served.includes(entryCss) ? [entryCss] : [];
  const sodiumInInitial = sodiumChunks.some((p) => closure.has(p));
  const js = served.filter((p) => p.endsWith('.js'));

  const initialKB = sum([...initialJs, ...initialCss]);
  const sodiumKB = sum(sodiumChunks);
  const preactKB = packageGzKB('preact/dist/preact.mjs');
  return [
    {
      id: 'P7',
      bench: 'bundle-size',
      env: 'node',
      figure: initialKB,
      unit: 'KiB gzip -9',
      peers: {
        preact: preactKB,
        libsodiumSumo: packageGzKB('libsodium-sumo/dist/modules-sumo-esm/libsodium-sumo.mjs'),
      },
      ratio: ratioOf(initialKB, TARGET_INITIAL_KB),
      figures: {
        initialJsKB: sum(initialJs),
        initialCssKB: sum(initialCss),
        initialWithoutSodiumKB: initialKB,
        sodiumChunkKB: sodiumKB,
        sodiumInInitialLoad: sodiumInInitial ? 1 : 0,
        allJsWithoutSodiumKB: sum(js.filter((p) => !sodiumChunks.includes(p))),
        totalKB: sum(served),
        outputFiles: served.length,
      },
      target: { initialWithoutSodiumKB: TARGET_INITIAL_KB },
      meetsTarget: initialKB <= TARGET_INITIAL_KB && !sodiumInInitial,
      notes: `built by web/build.ts; initial = ${[...initialJs, ...initialCss].map((p) => p.replace('dist/web/', '')).join(' + ')}; ratio = initial ÷ the 60 KiB budget; peers = the packages' own bundles gzipped`,
      machine: machineInfo(),
    },
  ];
}
