/**
 * The e2e harness: the relay exactly as `npm start` runs it (the built
 * `dist/relay.mjs` in its own process, temp data dir, free loopback port),
 * serving a snapshot of the built app, one Chromium, and a fresh browser
 * context per person (separate storage = separate device).
 *
 * The app is copied to a temp dir at start: other work rebuilds dist/web in
 * place (the build empties the folder first), and a test must not see the
 * app vanish under it halfway through.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { chromiumArgs, chromiumPath } from '../../support/chromium.ts';
import { ensureBuilt, type RelayProcess, startRelayProcess } from '../../support/relay-process.ts';
import { brokenPromises, emptyProblems, type PageProblems, watchContext } from './page-watch.ts';

const root = join(import.meta.dirname, '..', '..', '..');
export const resultsDir = join(root, 'test-results');
export const screensDir = join(resultsDir, 'screens');
const logsDir = join(resultsDir, 'e2e-logs');

/**
 * WebRTC, Argon2id and a loaded 2-core box: a message crossing two browsers
 * gets this long. Measured here: well under 2 s, and a few seconds with the
 * load average near 20; the margin is for CI running every project at once.
 */
export const CROSS_PEER_MS = 60_000;
/**
 * Per-file vitest limits (`vi.setConfig`): a test makes several cross-peer
 * waits in a row, so it gets a few of them; set-ups sign several people up.
 */
export const E2E_TIMEOUTS = { testTimeout: 180_000, hookTimeout: 240_000 };
/** A step inside one page (a dialog opening, a render). */
export const LOCAL_MS = 15_000;
/** How long to wait for a concurrent `web/build.ts` to finish before building ourselves. */
const BUILD_WAIT_MS = 60_000;

export interface Person {
  name: string;
  /** The username this person signs up with. */
  username: string;
  password: string;
  context: BrowserContext;
  page: Page;
  problems: PageProblems;
  /** Set by signUp. */
  recoveryKey?: string;
}

export interface PersonOptions {
  /** Defaults to `name`. */
  username?: string;
  password?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
}

export interface Parley {
  relay: RelayProcess;
  browser: Browser;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** A new device: a fresh context (own storage) with one page at the app. */
  person(name: string, options?: PersonOptions): Promise<Person>;
  /** Another device of an existing person's account: fresh storage, same credentials. */
  device(of: Person, label: string): Promise<Person>;
  /** Throws when any person's browser broke a promise (foreign request, CSP, exception, dialog). */
  assertClean(): void;
  close(): Promise<void>;
}

export const DEFAULT_PASSWORD = 'correct horse battery staple';

/** Waits out a rebuild of dist/web that is under way (it empties the folder first). */
async function builtApp(): Promise<void> {
  const deadline = Date.now() + BUILD_WAIT_MS;
  const files = ['index.html', 'app.js', 'app.css'].map((f) => join(root, 'dist', 'web', f));
  while (!files.every((f) => existsSync(f)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
  }
  ensureBuilt();
}

export async function startParley(testName: string): Promise<Parley> {
  await builtApp();
  const webDir = mkdtempSync(join(tmpdir(), 'parley-e2e-web-'));
  cpSync(join(root, 'dist', 'web'), webDir, { recursive: true });
  const relay = await startRelayProcess(['--web-dir', webDir, '--log-level', 'warn']);
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      // Host candidates as plain addresses: two contexts here cannot resolve
      // each other's mDNS names (same flag as the integration tests).
      args: [...chromiumArgs, '--disable-features=WebRtcHideLocalIpsWithMdns'],
    });
  } catch (error) {
    await relay.stop();
    rmSync(webDir, { recursive: true, force: true });
    throw error;
  }
  const origin = relay.url;
  const relayHost = new URL(origin).host;
  const people: Person[] = [];

  async function open(
    name: string,
    username: string,
    password: string,
    options: PersonOptions,
  ): Promise<Person> {
    const context = await browser.newContext({
      acceptDownloads: true,
      colorScheme: options.colorScheme ?? 'light',
      viewport: options.viewport ?? { width: 1280, height: 800 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    // Functions the tests run inside the page are compiled by esbuild (tsx,
    // vitest) with keepNames, which wraps named inner functions in a
    // `__name(fn, "name")` helper that exists only in Node. An identity
    // stand-in lets them run in the page; the app's own bundle has its own.
    await context.addInitScript({ content: 'globalThis.__name ??= (fn) => fn;' });
    const problems = emptyProblems();
    await watchContext(context, relayHost, problems);
    const page = await context.newPage();
    await page.goto(origin);
    const person: Person = { name, username, password, context, page, problems };
    people.push(person);
    return person;
  }

  return {
    relay,
    browser,
    origin,
    person: (name, options = {}) =>
      open(name, options.username ?? name, options.password ?? DEFAULT_PASSWORD, options),
    device: (of, label) => open(`${of.name}/${label}`, of.username, of.password, {}),
    assertClean() {
      const broken: Record<string, Partial<PageProblems>> = {};
      for (const p of people) {
        const b = brokenPromises(p.problems);
        if (Object.keys(b).length > 0) broken[p.name] = b;
      }
      if (Object.keys(broken).length > 0) {
        throw new Error(`browsers broke a promise:\n${JSON.stringify(broken, null, 2)}`);
      }
    },
    async close() {
      // The log helps when CI fails: console errors and failed requests per person, relay output.
      try {
        mkdirSync(logsDir, { recursive: true });
        const log = {
          people: Object.fromEntries(people.map((p) => [p.name, p.problems])),
          relay: relay.output(),
        };
        writeFileSync(join(logsDir, `${testName}.json`), JSON.stringify(log, null, 2));
        // Where each person's page ended: the accessibility tree (what the
        // tests query) and a picture, for reading a failure without a rerun.
        const finalDir = join(logsDir, testName);
        mkdirSync(finalDir, { recursive: true });
        await Promise.allSettled(
          people.map(async (p) => {
            if (p.page.isClosed()) return;
            const file = join(finalDir, p.name.replace(/[^a-z0-9-]/gi, '_'));
            const tree = await p.page.locator('body').ariaSnapshot({ timeout: 5_000 });
            writeFileSync(`${file}.aria.yml`, tree);
            await p.page.screenshot({ path: `${file}.png`, timeout: 5_000 });
          }),
        );
      } catch {
        // a log is a courtesy; closing must go on
      }
      await Promise.allSettled(people.map((p) => p.context.close()));
      await browser.close().catch(() => undefined);
      await relay.stop();
      rmSync(webDir, { recursive: true, force: true });
    },
  };
}
