/**
 * The browser half of "remember this device": a CryptoKey created
 * non-extractable, stored in Chromium's real IndexedDB, survives a real page
 * reload and still opens the at-rest keys; and the whole sign-up → reload →
 * unlock → sign-out path runs in the browser against the real relay.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../../support/chromium.ts';
import { startTestRelay, type TestRelay, uniqueUsername } from '../relay/harness.ts';

let relay: TestRelay;
let browser: Browser;
let webDir: string;

beforeAll(async () => {
  webDir = mkdtempSync(join(tmpdir(), 'parley-account-web-'));
  await build({
    entryPoints: [join(import.meta.dirname, 'account-browser-entry.ts')],
    outfile: join(webDir, 'account.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110'],
    define: { global: 'globalThis' },
    logLevel: 'warning',
  });
  await build({
    entryPoints: [join(import.meta.dirname, 'account-browser-kdf-worker.ts')],
    outfile: join(webDir, 'kdf-worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110'],
    define: { global: 'globalThis' },
    logLevel: 'warning',
  });
  writeFileSync(
    join(webDir, 'index.html'),
    '<!doctype html><html><head><title>loading</title><script type="module" src="/account.js"></script></head><body></body></html>',
  );
  relay = await startTestRelay({ webDir });
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  await relay?.destroy();
  rmSync(webDir, { recursive: true, force: true });
});

type Api = {
  create(username: string, password: string): Promise<Record<string, unknown>>;
  afterReload(password: string): Promise<Record<string, unknown>>;
  signOut(): Promise<string[]>;
  workerDerive(): Promise<{ viaWorker: unknown; direct: unknown; weak: unknown }>;
};

describe('accounts in a real browser (Chromium)', () => {
  it('a remembered device unlocks after a real reload; the password still unlocks it; sign-out deletes the key database', async () => {
    const page = await browser.newPage();
    const ready = async () => {
      await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 15_000 });
    };
    await page.goto(`${relay.origin}/`);
    await ready();
    const username = uniqueUsername('chromium');
    const password = 'correct horse';
    const created = await page.evaluate(
      ([u, p]) =>
        (globalThis as unknown as { parleyAccountTest: Api }).parleyAccountTest.create(u!, p!),
      [username, password],
    );

    await page.reload();
    await ready();
    const after = await page.evaluate(
      (p) => (globalThis as unknown as { parleyAccountTest: Api }).parleyAccountTest.afterReload(p),
      password,
    );
    const session = {
      userId: created.userId,
      deviceId: created.deviceId,
      ik: created.ik,
      dek: created.dek,
      indexKey: created.indexKey,
    };
    expect(after.info).toMatchObject({ username, unlockWith: 'password', remembered: true });
    expect(after.keyIsCryptoKey).toBe(true);
    expect(after.extractable).toBe(false);
    expect(after.exportRefused).toBe(true);
    expect(after.recalled).toEqual(session);
    expect(after.unlocked).toEqual(session);
    expect(after.wrongCode).toBe('WRONG_LOCAL_SECRET');
    expect(after.loggedInAs).toBe(created.deviceId);

    const left = await page.evaluate(() =>
      (globalThis as unknown as { parleyAccountTest: Api }).parleyAccountTest.signOut(),
    );
    expect(left).not.toContain('parley-keys');
    await page.close();
  });

  it('Argon2id runs in a Web Worker and gives the same keys as on the page', async () => {
    const page = await browser.newPage();
    await page.goto(`${relay.origin}/`);
    await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 15_000 });
    const r = await page.evaluate(() =>
      (globalThis as unknown as { parleyAccountTest: Api }).parleyAccountTest.workerDerive(),
    );
    expect(Array.isArray(r.direct)).toBe(true);
    expect(r.viaWorker).toEqual(r.direct);
    expect(r.weak).toBe('KDF_PARAMS_TOO_WEAK');
    await page.close();
  });
});
