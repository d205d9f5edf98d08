/**
 * A minimal `process` for simple-peer and its stream dependencies in the
 * browser. `nextTick` must use queueMicrotask: the npm `process` package uses
 * setTimeout, whose 4 ms clamp cut 16 KiB-chunk throughput from ~26 MB/s to
 * ~4 MB/s (FINDINGS.md).
 */
type Task = (...args: unknown[]) => void;

export const process = {
  env: {} as Record<string, string | undefined>,
  browser: true,
  version: '',
  versions: {} as Record<string, string>,
  nextTick(fn: Task, ...args: unknown[]): void {
    queueMicrotask(() => fn(...args));
  },
};
