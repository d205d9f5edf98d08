/**
 * CPU time per thread of the bench's Chromium over one stretch of a
 * benchmark, read from /proc (Linux), without a profiler in the way: a
 * sampling profiler slows the thread it samples, and on 2 cores a thread
 * that waits for a core still shows JS on its stack, so a profile's "busy"
 * overstates the main threads. This says which threads (renderer main,
 * WebRTC network thread, the network service's IO thread, the files worker,
 * the browser's pools) spent the CPU, and how close the box was to
 * saturated.
 *
 *   PARLEY_BENCH_THREADS=1 npm run bench -- p4
 */
import { readdirSync, readFileSync } from 'node:fs';

export const threadCpuWanted = process.env.PARLEY_BENCH_THREADS === '1';
/**
 * A switch Chromium ignores, passed to the bench's browser (page-cluster.ts)
 * so its processes are told from other Chromiums on a shared box: the
 * browser process carries it, every other process descends from it.
 */
export const BENCH_BROWSER_SWITCH = `--parley-bench-browser=${process.pid}`;
/** /proc times are in clock ticks (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;
const ROWS = 12;

type Snapshot = {
  at: number;
  boxBusyS: number;
  threads: Map<string, { label: string; s: number }>;
};

function processType(cmdline: string): string {
  const type = /--type=([a-z-]+)/.exec(cmdline)?.[1] ?? 'browser';
  const sub = /--utility-sub-type=([a-zA-Z.]+)/.exec(cmdline)?.[1];
  return sub ? `${type}:${sub.split('.').pop()}` : type;
}

/** Pids of the bench's browser process and all its descendants (zygotes, renderers, utilities). */
function benchProcesses(): Map<string, string> {
  const cmdlines = new Map<string, string>();
  const children = new Map<string, string[]>();
  let root: string | null = null;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '';
      cmdlines.set(pid, cmdline);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      if (cmdline.includes(BENCH_BROWSER_SWITCH)) root = pid;
    } catch {
      // The process ended between listing and reading.
    }
  }
  const out = new Map<string, string>();
  const stack = root ? [root] : [];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    out.set(pid, cmdlines.get(pid) ?? '');
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function snapshot(): Snapshot {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const tick = (i: number) => Number(fields[i] ?? 0);
  // user nice system (idle iowait) irq softirq steal
  const boxBusyS = (tick(1) + tick(2) + tick(3) + tick(6) + tick(7) + tick(8)) / TICKS_PER_S;
  const threads = new Map<string, { label: string; s: number }>();
  for (const [pid, cmdline] of benchProcesses()) {
    const type = processType(cmdline);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const s = (Number(rest[11]) + Number(rest[12])) / TICKS_PER_S;
        threads.set(`${pid}/${tid}`, { label: `${type} ${pid} ${name}`, s });
      } catch {
        // The thread ended between listing and reading.
      }
    }
  }
  return { at: Date.now(), boxBusyS, threads };
}

/** Starts counting; `stop()` prints the busiest threads of the stretch to stderr. */
export function startThreadCpu(name: string): { stop(): void } {
  if (!threadCpuWanted) return { stop() {} };
  const first = snapshot();
  return {
    stop() {
      const last = snapshot();
      const seconds = (last.at - first.at) / 1000;
      const rows: Array<[string, number]> = [];
      let total = 0;
      for (const [key, t] of last.threads) {
        const spent = t.s - (first.threads.get(key)?.s ?? 0);
        total += spent;
        if (spent > 0) rows.push([t.label, spent]);
      }
      rows.sort((a, b) => b[1] - a[1]);
      const lines = [
        `  threads ${name}: ${seconds.toFixed(2)} s wall; Chromium ${total.toFixed(2)} CPU-s ` +
          `(${(total / seconds).toFixed(2)} cores); whole box ${(last.boxBusyS - first.boxBusyS).toFixed(2)} CPU-s`,
        ...rows
          .slice(0, ROWS)
          .map(([label, s]) => `    ${s.toFixed(2).padStart(5)} CPU-s  ${label}`),
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    },
  };
}
