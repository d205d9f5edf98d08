/**
 * The coordinator side of the relay benchmarks: forks load-generator
 * processes (relay-load-worker.ts), sends them commands with a deadline
 * each, and kills them on every exit path. Also the small statistics and
 * option helpers the relay benchmarks share.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from '../peers/servers.ts';
import type { ServerSpec } from './relay-clients.ts';

export type WorkerCommand =
  | { op: 'setup'; server: ServerSpec; tag: string; rooms: number; roomSize: number }
  | { op: 'blast'; window: number; payloadBytes: number }
  | { op: 'count' }
  | { op: 'stopBlast'; drainMs: number }
  | { op: 'paced'; ratePerSec: number; durationMs: number; warmupMs: number; payloadBytes: number }
  | { op: 'file'; totalBytes: number; frameBytes: number; windowBytes: number; timeoutMs: number }
  | { op: 'hold'; server: ServerSpec; tag: string; count: number }
  | { op: 'probe'; rounds: number; dataChars: number; timeoutMs: number }
  | { op: 'close' };

export interface Counts {
  sent: number;
  delivered: number;
  errors: Record<string, number>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./relay-load-worker.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** One load-generator process. */
export class LoadWorker {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextId = 1;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.on('message', (msg: Reply) => {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`load worker: ${msg.error}`));
    });
    child.on('exit', (code) => {
      for (const p of this.#pending.values()) p.reject(new Error(`load worker exited (${code})`));
      this.#pending.clear();
    });
  }

  static async start(): Promise<LoadWorker> {
    const child = fork(WORKER, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    track(child);
    const worker = new LoadWorker(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('load worker did not start')),
        START_TIMEOUT_MS,
      );
      worker.#pending.set(0, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    return worker;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  call<T>(cmd: WorkerCommand, timeoutMs: number): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`load worker: ${cmd.op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#child.send({ id, cmd });
    });
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

/** A set of workers: the same command to each, results in worker order. */
export class LoadPool {
  readonly workers: LoadWorker[];

  private constructor(workers: LoadWorker[]) {
    this.workers = workers;
  }

  static async start(count: number): Promise<LoadPool> {
    const started = await Promise.allSettled(
      Array.from({ length: count }, () => LoadWorker.start()),
    );
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      for (const w of ok) w.kill();
      throw failed.reason;
    }
    return new LoadPool(ok);
  }

  all<T>(cmd: WorkerCommand | ((i: number) => WorkerCommand), timeoutMs: number): Promise<T[]> {
    return Promise.all(
      this.workers.map((w, i) => w.call<T>(typeof cmd === 'function' ? cmd(i) : cmd, timeoutMs)),
    );
  }

  /** Sums counts across workers. */
  async counts(timeoutMs = 10_000): Promise<Counts> {
    return sumCounts(await this.all<Counts>({ op: 'count' }, timeoutMs));
  }

  kill(): void {
    for (const w of this.workers) w.kill();
  }
}

export function sumCounts(list: Counts[]): Counts {
  const out: Counts = { sent: 0, delivered: 0, errors: {} };
  for (const c of list) {
    out.sent += c.sent;
    out.delivered += c.delivered;
    for (const [code, n] of Object.entries(c.errors))
      out.errors[code] = (out.errors[code] ?? 0) + n;
  }
  return out;
}

/** Splits `total` items over `parts` as evenly as possible. */
export function split(total: number, parts: number): number[] {
  return Array.from(
    { length: parts },
    (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0),
  );
}

export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function median(xs: number[]): number {
  return quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

export const round = (x: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `--quick` on the command line or PARLEY_BENCH_QUICK=1 (run.ts passes no flags). */
export function quickMode(): boolean {
  return process.argv.includes('--quick') || process.env.PARLEY_BENCH_QUICK === '1';
}

/** A short random tag so names never collide across runs on one relay. */
export function runTag(): string {
  return Math.random().toString(36).slice(2, 8);
}

/** Load average and core count, for a result's notes. */
export async function loadContext(): Promise<string> {
  const os = await import('node:os');
  const [one] = os.loadavg();
  return `${os.cpus().length} cores, load average ${round(one ?? 0, 1)} at start`;
}
