/**
 * CPU profiles of pages and of every dedicated worker in the browser (the
 * files worker writing OPFS) over one stretch of a benchmark, written as
 * .cpuprofile files that bench/lib/cpuprofile-top.ts summarises. Pages go
 * through Playwright's CDP session; workers are not pages, so they are
 * attached from a browser-level session and spoken to through
 * Target.sendMessageToTarget (non-flat mode, which Playwright's CDPSession
 * can carry).
 *
 *   PARLEY_BENCH_PROFILE=/tmp/prof PARLEY_BENCH_NO_MINIFY=1 npm run bench -- p4
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';

/** Where profiles go, when asked for. */
export const profileDir = process.env.PARLEY_BENCH_PROFILE || null;
/** µs between samples: finer than V8's default 1 ms, still cheap. */
const SAMPLING_INTERVAL_US = 250;

interface Running {
  stop(): Promise<string[]>;
}

/** Talks to one worker target through the browser session (non-flat). */
async function attachWorker(browserSession: CDPSession, targetId: string) {
  const { sessionId } = (await browserSession.send('Target.attachToTarget', {
    targetId,
    flatten: false,
  })) as { sessionId: string };
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  browserSession.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const msg = JSON.parse(event.message) as { id?: number; result?: unknown; error?: unknown };
    if (msg.id === undefined) return;
    waiting.get(msg.id)?.(msg.error ? { error: msg.error } : msg.result);
    waiting.delete(msg.id);
  });
  const send = (method: string, params: object = {}): Promise<unknown> =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      void browserSession.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id, method, params }),
      });
    });
  return { send };
}

/** Starts profiling `pages` (by label) and every worker; `stop()` writes the files. */
export async function startProfiles(
  browser: Browser,
  pages: Record<string, Page>,
  tag: string,
): Promise<Running> {
  const dir = profileDir;
  if (!dir) return { stop: async () => [] };
  mkdirSync(dir, { recursive: true });
  const stops: Array<() => Promise<string>> = [];
  for (const [label, page] of Object.entries(pages)) {
    const session = await page.context().newCDPSession(page);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await session.send('Profiler.start');
    stops.push(async () => {
      const { profile } = await session.send('Profiler.stop');
      const file = join(dir, `${tag}-${label}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      await session.detach();
      return file;
    });
  }
  const browserSession = await browser.newBrowserCDPSession();
  const { targetInfos } = (await browserSession.send('Target.getTargets')) as {
    targetInfos: Array<{ targetId: string; type: string; url: string }>;
  };
  let n = 0;
  for (const t of targetInfos.filter((x) => x.type === 'worker')) {
    const worker = await attachWorker(browserSession, t.targetId);
    await worker.send('Profiler.enable');
    await worker.send('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
    await worker.send('Profiler.start');
    const label = `worker${n++}`;
    stops.push(async () => {
      const result = (await worker.send('Profiler.stop')) as { profile?: unknown };
      const file = join(dir, `${tag}-${label}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile ?? result));
      return file;
    });
  }
  return {
    async stop() {
      const files: string[] = [];
      for (const stop of stops) files.push(await stop());
      await browserSession.detach();
      process.stderr.write(`  profiles: ${files.join(' ')}\n`);
      return files;
    },
  };
}
