/**
 * Builds the web app into dist/web/: one ESM bundle (minified, with a
 * sourcemap), the CSS, and index.html. esbuild settings carry the browser
 * shims simple-peer needs (FINDINGS.md): `global` → globalThis, an injected
 * `process` whose nextTick is a microtask, and the `events` package.
 *
 *   npx tsx web/build.ts [--dev]
 */
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

const webDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(webDir, '..', 'dist', 'web');
const dev = process.argv.includes('--dev');
/** TARGETS.md P7: what the first paint needs (app.js and its static imports), gzip -9. */
const initialBudgetBytes = 60 * 1024;

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
    entryPoints: {
      app: join(webDir, 'ui', 'main.tsx'),
      // Incoming files into OPFS through sync access handles (a module worker: /files-worker.js).
      'files-worker': join(webDir, 'core', 'files', 'opfs-worker-entry.ts'),
      // Argon2id off the page's thread (a module worker: /kdf-worker.js, see web/ui/app/engine.ts).
      'kdf-worker': join(webDir, 'ui', 'app', 'kdf-worker.ts'),
    },
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
  if (!dev) await reportInitialBundle(result.metafile);
}

/**
 * The first bundle is app.js plus every chunk it imports statically; the
 * engine, libsodium, the signed-in shell and the emoji data are `import()`ed
 * later. Says how big it is, and warns when it outgrows the P7 budget.
 */
async function reportInitialBundle(meta: Metafile): Promise<void> {
  const entry = Object.keys(meta.outputs).find((o) => o.endsWith('/app.js'));
  if (!entry) return;
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const output = stack.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of meta.outputs[output]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path.endsWith('.js')) {
        stack.push(imported.path);
      }
    }
  }
  let gzipBytes = 0;
  for (const output of seen) {
    gzipBytes += gzipSync(await readFile(resolve(output)), { level: 9 }).length;
  }
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const line = `web/build: first bundle ${kb(gzipBytes)} gzip (${seen.size} files; budget ${kb(initialBudgetBytes)})`;
  if (gzipBytes > initialBudgetBytes) console.warn(`${line}: OVER BUDGET (TARGETS.md P7)`);
  else console.log(line);
}

await buildWeb();
