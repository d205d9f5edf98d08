import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';
import { type RelayProcess, startRelayProcess } from '../support/relay-process.ts';

const artefacts = join(import.meta.dirname, '..', '..', 'test-results');

let relay: RelayProcess;
let browser: Browser;

beforeAll(async () => {
  relay = await startRelayProcess();
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
});

describe('what `npm start` serves', () => {
  it('the app loads in Chromium from the relay alone, under a strict CSP, without errors', async () => {
    const page = await browser.newPage();
    const hosts = new Set<string>();
    const problems: string[] = [];
    page.on('request', (req) => hosts.add(new URL(req.url()).host));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    const response = await page.goto(relay.url);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain('unsafe-inline');
    await expect(page.getByRole('heading', { name: 'Parley' }).isVisible()).resolves.toBe(true);
    mkdirSync(artefacts, { recursive: true });
    await page.screenshot({ path: join(artefacts, 'npm-start-home.png') });
    expect(problems).toEqual([]);
    // No CDN, no font service, nothing but the relay.
    expect([...hosts]).toEqual([`127.0.0.1:${relay.port}`]);
    await page.close();
  });

  it('health and client config answer', async () => {
    expect((await fetch(`${relay.url}/livez`)).status).toBe(200);
    expect((await fetch(`${relay.url}/readyz`)).status).toBe(200);
    const config = (await (await fetch(`${relay.url}/config`)).json()) as {
      iceServers: unknown[];
      limits: object;
    };
    expect(Array.isArray(config.iceServers)).toBe(true);
    expect(config.limits).toBeTypeOf('object');
  });

  it('SIGTERM drains and exits cleanly within 10 s', async () => {
    const own = await startRelayProcess();
    const { code, ms } = await own.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
  });
});
