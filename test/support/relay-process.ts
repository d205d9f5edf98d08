/**
 * The relay as `npm start` runs it: the built `dist/relay.mjs` in its own
 * process, on a free port with a temp data dir. Builds first when the bundle
 * is missing (npm test builds before running the tests).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

const root = join(import.meta.dirname, '..', '..');
export const relayBundle = join(root, 'dist', 'relay.mjs');

export interface RelayProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait; resolves with the exit code and how long it took. */
  stop(): Promise<{ code: number | null; ms: number }>;
}

export function ensureBuilt(): void {
  if (existsSync(relayBundle) && existsSync(join(root, 'dist', 'web', 'index.html'))) return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

export async function startRelayProcess(extraArgs: string[] = []): Promise<RelayProcess> {
  ensureBuilt();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const child = spawn(
    process.execPath,
    [relayBundle, '--port', String(port), '--data-dir', dataDir, ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`relay exited early (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`relay not ready in 15 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url,
    port,
    child,
    output: () => out,
    async stop() {
      const t0 = Date.now();
      if (child.exitCode === null) {
        const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        child.kill('SIGTERM');
        const code = await exited;
        rmSync(dataDir, { recursive: true, force: true });
        return { code, ms: Date.now() - t0 };
      }
      rmSync(dataDir, { recursive: true, force: true });
      return { code: child.exitCode, ms: 0 };
    },
  };
}
