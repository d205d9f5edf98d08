/**
 * Builds the web app into dist/web/: one ESM bundle (minified, with a
 * sourcemap), the CSS, and index.html. esbuild settings carry the browser
 * shims simple-peer needs (FINDINGS.md): `global` → globalThis, an injected
 * `process` whose nextTick is a microtask, and the `events` package.
 *
 *   npx tsx web/build.ts [--dev]
 */
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(webDir, '..', 'dist', 'web');
const dev = process.argv.includes('--dev');

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function buildWeb(): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(webDir, 'ui', 'main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: !dev,
    sourcemap: true,
    metafile: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: {
      global: 'globalThis',
      'process.env.NODE_ENV': dev ? '"development"' : '"production"',
    },
    inject: [join(webDir, 'shims', 'process.ts')],
    logLevel: 'warning',
    legalComments: 'linked',
  });
  // The metafile (bundle composition, for size checks) stays out of the served folder.
  await writeFile(join(outDir, '..', 'web-meta.json'), JSON.stringify(result.metafile));
  // CSS is imported by the components (theme.css first, from main.tsx); esbuild
  // bundles it into app.css beside app.js.
  for (const asset of ['index.html', 'favicon.svg']) {
    const from = join(webDir, 'ui', asset);
    if (await exists(from)) await copyFile(from, join(outDir, asset));
  }
  const html = await readFile(join(outDir, 'index.html'), 'utf8');
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) {
    throw new Error('web/build: index.html must not contain inline scripts (CSP forbids them)');
  }
}

await buildWeb();
