/**
 * A VISUAL check of the PANELS components (file cards, drop zone,
 * safety-number dialog, key-change banner, members panel), not a promise
 * test: the components are mounted in real Chromium against small fake
 * objects shaped like the engine's signals (a real TrustStore with pins in
 * memory; a real verified file in OPFS for the image preview), under the
 * relay's real CSP, and photographed in light, dark and 360 px wide into
 * test-results/screens/. The few expectations only make sure each picture
 * shows what its name says. The promises (real transfers, real key changes)
 * are the e2e helper's tests against `npm start`.
 *
 * The page entry is bundled from the string below (esbuild stdin) so this
 * stays one file; it imports the real components.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../signal/http-routes.ts';
import { chromiumArgs, chromiumPath } from '../support/chromium.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const screensDir = join(repoRoot, 'test-results', 'screens');

const ENTRY = `
import { render } from 'preact';
import { signal } from '@preact/signals';
import './web/ui/theme.css';
import { memoryPinStorage, TrustStore } from './web/core/trust.ts';
import { toB64 } from './shared/crypto/encoding.ts';
import { FileAttachment } from './web/ui/files/file-attachment.tsx';
import { FileDropZone } from './web/ui/files/file-drop-zone.tsx';
import { SafetyNumberDialog } from './web/ui/trust/safety-number-dialog.tsx';
import { KeyChangeBanner, sendingBlocked } from './web/ui/trust/key-change-banner.tsx';
import { MembersPanel } from './web/ui/members/members-panel.tsx';

const params = new URLSearchParams(location.search);
const scene = params.get('scene');
if (params.get('theme')) document.documentElement.dataset.theme = params.get('theme');
const key = (n) => toB64(new Uint8Array(32).fill(n));
const MY_DEVICE = 'dev-me';

function message(fileId, name, mime, size, authorDevice = 'dev-alice') {
  return {
    id: 'm-' + fileId, conv: 'room1', orderKey: fileId, authorIk: key(9), authorDevice,
    lamport: 1, ts: Date.now(), text: '', edited: false, editedAt: null, deleted: null,
    replyTo: null, file: { fileId, name, mime, size, offer: '' }, mentions: [], reactions: [],
    receipts: {}, local: null, merge: { editKey: null, deleteKey: null, votes: [] },
  };
}
function transfer(fileId, patch) {
  return {
    id: 'in:' + fileId, fileId, convId: 'room1', direction: 'in', peerDevice: 'dev-alice',
    name: '', mime: '', size: 0, bytesDone: 0, rateBytesPerSec: 0, etaMs: null, state: 'offered',
    pausedBy: null, error: null, savedAs: null, segmentsStarted: 0, ...patch,
  };
}
const MB = 1_000_000;
const cards = [
  [message('f-offer', 'holiday-video.mp4', 'video/mp4', 180 * MB), transfer('f-offer', { size: 180 * MB })],
  [message('f-active', 'dataset.tar.gz', 'application/gzip', 64 * MB),
    transfer('f-active', { size: 64 * MB, bytesDone: 23.5 * MB, rateBytesPerSec: 4.2 * MB, etaMs: 9600, state: 'active' })],
  [message('f-paused', 'slides.pdf', 'application/pdf', 12 * MB),
    transfer('f-paused', { size: 12 * MB, bytesDone: 5 * MB, state: 'paused', pausedBy: 'me' })],
  [message('f-waiting', 'notes.txt', 'text/plain', 40_000),
    transfer('f-waiting', { size: 40_000, bytesDone: 16_000, state: 'waiting' })],
  [message('f-image', 'sunset.png', 'image/png', 48_213),
    transfer('f-image', { size: 48_213, bytesDone: 48_213, state: 'complete', savedAs: 'parley-files/f-image' })],
  [message('f-pdf', 'contract-final-v2-signed.pdf', 'application/pdf', 2.3 * MB),
    transfer('f-pdf', { size: 2.3 * MB, bytesDone: 2.3 * MB, state: 'complete', savedAs: 'parley-files/f-pdf' })],
  [message('f-out', 'report.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 3 * MB, MY_DEVICE), null],
  [message('f-failed', 'archive.zip', 'application/zip', 30 * MB),
    transfer('f-failed', { size: 30 * MB, bytesDone: 30 * MB, state: 'failed', error: 'FILE_HASH_MISMATCH' })],
  [message('f-declined', 'song.ogg', 'audio/ogg', 6 * MB), transfer('f-declined', { size: 6 * MB, state: 'declined' })],
  [message('f-gone', 'old-photo.jpg', 'image/jpeg', 900_000), null],
  [message('f-stalled', 'backup.7z', 'application/x-7z-compressed', 50 * MB),
    transfer('f-stalled', { size: 50 * MB, bytesDone: 31 * MB, state: 'waiting-for-sender' })],
  [message('f-repick', 'budget.xlsx', 'application/vnd.ms-excel', 800_000, MY_DEVICE), null],
];
const needsSource = signal([{ fileId: 'f-repick', convId: 'room1', name: 'budget.xlsx', mime: 'application/vnd.ms-excel', size: 800_000, reason: 'not-kept', waitingDevices: ['dev-bob', 'dev-carol'] }]);
const outgoing = ['dev-bob', 'dev-carol', 'dev-dave'].map((d, i) => ({
  ...transfer('f-out', { size: 3 * MB }), id: 'out:f-out:' + d, direction: 'out', peerDevice: d,
  bytesDone: i === 0 ? 3 * MB : i === 1 ? 1.2 * MB : 0.4 * MB,
  state: i === 0 ? 'complete' : 'active', rateBytesPerSec: i === 0 ? 0 : 800_000, etaMs: i === 0 ? null : 2250 + i * 1000,
}));
const repick = { ...transfer('f-repick', { size: 800_000 }), id: 'out:f-repick:dev-bob', direction: 'out', peerDevice: 'dev-bob', state: 'needs-source' };
const transfers = signal([...cards.map(([, t]) => t).filter(Boolean), ...outgoing, repick]);

const members = signal([
  { userId: 'u-me', username: 'maria', role: 'owner', online: true, devices: [], trust: 'unknown', isMe: true },
  { userId: 'u-alice', username: 'alice', role: 'admin', online: true, devices: [{ deviceId: 'a1', path: 'direct', verified: true }], trust: 'verified', isMe: false },
  { userId: 'u-bob', username: 'bob', role: 'member', online: true, devices: [{ deviceId: 'b1', path: 'turn', verified: true }], trust: 'pinned', isMe: false },
  { userId: 'u-carol', username: 'carol', role: 'member', online: true, devices: [{ deviceId: 'c1', path: 'relay', verified: true }], trust: 'changed', isMe: false },
  { userId: 'u-dave', username: 'dave-with-a-rather-long-username', role: 'member', online: false, devices: [], trust: 'pinned', isMe: false },
]);

async function writeVerifiedFile(name, blob) {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle('parley-files', { create: true });
  const w = await (await dir.getFileHandle(name, { create: true })).createWritable();
  await w.write(blob);
  await w.close();
}
async function samplePng() {
  const canvas = document.createElement('canvas');
  canvas.width = 640; canvas.height = 360;
  const g = canvas.getContext('2d');
  const sky = g.createLinearGradient(0, 0, 0, 360);
  sky.addColorStop(0, '#ff9a5a'); sky.addColorStop(1, '#6a3d9a');
  g.fillStyle = sky; g.fillRect(0, 0, 640, 360);
  g.fillStyle = '#ffd75e'; g.beginPath(); g.arc(320, 250, 70, 0, Math.PI * 2); g.fill();
  g.fillStyle = '#1d2b53'; g.fillRect(0, 270, 640, 90);
  return new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
}

async function main() {
  const trust = await TrustStore.open(memoryPinStorage([
    { userId: 'u-alice', username: 'alice', ik: key(2), state: 'verified', firstSeenMs: 1, verifiedAtMs: 2 },
    { userId: 'u-bob', username: 'bob', ik: key(3), state: 'pinned', firstSeenMs: 1 },
    { userId: 'u-carol', username: 'carol', ik: key(4), state: 'changed', firstSeenMs: 1, presentedIk: key(5) },
  ]));
  const noop = async () => {};
  const client = {
    account: { userId: 'u-me', ikPk: new Uint8Array(32).fill(1) },
    trust,
    files: { transfers, needsSource, reattach: noop, withdraw: noop, deviceId: MY_DEVICE, accept: noop, decline: noop, pause: noop, resume: noop, cancel: noop },
    room: (id) => (id === 'room1' ? { members } : undefined),
    dm: (id) => (id === 'dm-carol' ? { partner: { userId: 'u-carol', username: 'carol' } } : undefined),
    kick: noop, ban: noop, setRole: noop, shareFile: async () => 'x',
    relay: { session: null },
  };
  await writeVerifiedFile('f-image', await samplePng());
  await writeVerifiedFile('f-pdf', new Blob(['%PDF-1.4 sample']));
  const root = document.getElementById('app');
  if (scene === 'files') {
    render(
      <FileDropZone client={client} convId="room1">
        <div class="screens-column">
          {cards.map(([m]) => <FileAttachment key={m.id} client={client} convId="room1" message={m} />)}
        </div>
      </FileDropZone>, root);
  } else if (scene === 'safety') {
    render(<SafetyNumberDialog client={client} userId="u-bob" username="bob" onClose={() => {}} />, root);
  } else if (scene === 'banner') {
    render(
      <div class="screens-column">
        <KeyChangeBanner client={client} convId="dm-carol" />
        <p id="blocked">{'sendingBlocked: ' + sendingBlocked(client, 'dm-carol')}</p>
      </div>, root);
  } else if (scene === 'members') {
    render(<div class="screens-members"><MembersPanel client={client} roomId="room1" onClose={() => {}} /></div>, root);
  }
  document.title = 'ready';
}
main().catch((e) => { document.title = 'error: ' + e.message; });
`;

const PAGE_CSS = `
.screens-column { display: flex; flex-direction: column; gap: 12px; padding: 16px; }
.screens-members { display: flex; justify-content: flex-end; height: 100vh; }
`;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

let dir: string;
let server: Server;
let origin: string;
let browser: Browser;
const cspViolations: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-panels-'));
  await build({
    stdin: { contents: ENTRY, resolveDir: repoRoot, loader: 'tsx', sourcefile: 'panels-entry.tsx' },
    outfile: join(dir, 'panels.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { global: 'globalThis' },
    inject: [join(repoRoot, 'web', 'shims', 'process.ts')],
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'page.css'), PAGE_CSS);
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>loading</title>' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      '<link rel="stylesheet" href="/panels.css"><link rel="stylesheet" href="/page.css">' +
      '<script type="module" src="/panels.js"></script></head><body><div id="app"></div></body></html>',
  );
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const name = path === '/' ? 'index.html' : path.slice(1);
    if (name.includes('/') || name.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = readFileSync(join(dir, name));
      const ext = name.slice(name.lastIndexOf('.'));
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  mkdirSync(screensDir, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

const VARIANTS = [
  { name: 'light', theme: 'light', width: 900 },
  { name: 'dark', theme: 'dark', width: 900 },
  { name: 'narrow', theme: 'light', width: 360 },
] as const;

async function openScene(scene: string, variant: (typeof VARIANTS)[number]): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: variant.width, height: 720 },
    colorScheme: variant.theme === 'dark' ? 'dark' : 'light',
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => cspViolations.push(`pageerror: ${e.message}`));
  await page.goto(`${origin}/?scene=${scene}&theme=${variant.theme}`);
  await page.waitForFunction(() => document.title !== 'loading', undefined, { timeout: 20_000 });
  expect(await page.title()).toBe('ready');
  return page;
}

async function shoot(page: Page, file: string): Promise<void> {
  await page.screenshot({ path: join(screensDir, file), fullPage: true });
  await page.context().close();
}

describe('PANELS components, photographed (visual check)', () => {
  for (const variant of VARIANTS) {
    it(`file cards in every state, with an image preview and the drop zone (${variant.name})`, async () => {
      const page = await openScene('files', variant);
      const preview = page.getByRole('img', { name: 'sunset.png' });
      await preview.waitFor();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('img')].every((i) => i.complete && i.naturalWidth > 0),
      );
      const bar = page.getByRole('progressbar', { name: 'dataset.tar.gz' });
      expect(await bar.getAttribute('aria-valuenow')).toBe('36');
      expect(
        await page
          .getByRole('group', { name: 'holiday-video.mp4' })
          .getByRole('button')
          .allTextContents(),
      ).toEqual(['Accept', 'Decline']);
      await page
        .getByRole('group', { name: 'contract-final-v2-signed.pdf' })
        .getByRole('button', { name: 'Save' })
        .waitFor();
      await page.getByText('Not downloaded on this device').waitFor();
      await page.screenshot({
        path: join(screensDir, `files-${variant.name}.png`),
        fullPage: true,
      });
      // Drag a file over the zone: the overlay appears.
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['x'], 'drop.txt', { type: 'text/plain' }));
        document
          .querySelector('.files-dropzone')
          ?.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt, bubbles: true }));
      });
      await page.getByText('Drop files to share').waitFor();
      await page.screenshot({ path: join(screensDir, `dropzone-${variant.name}.png`) });
      await page.context().close();
    });

    it(`safety-number dialog with its QR code (${variant.name})`, async () => {
      const page = await openScene('safety', variant);
      const dialog = page.getByRole('dialog', { name: 'Safety number with bob' });
      await dialog.getByRole('img', { name: 'QR code' }).waitFor();
      const digits =
        (await dialog.getByRole('group', { name: 'Safety number' }).textContent()) ?? '';
      expect(digits).toMatch(/^\d{5}( \d{5}){11}$/);
      await dialog.getByRole('button', { name: 'Mark as verified' }).waitFor();
      await page.screenshot({ path: join(screensDir, `safety-${variant.name}.png`) });
      // The real TrustStore records the check; the dialog follows its pin.
      await dialog.getByRole('button', { name: 'Mark as verified' }).click();
      await dialog.getByRole('button', { name: 'Unmark verified' }).waitFor();
      await dialog.getByText('Verified', { exact: true }).waitFor();
      await shoot(page, `safety-verified-${variant.name}.png`);
    });

    it(`key-change banner (${variant.name})`, async () => {
      const page = await openScene('banner', variant);
      await page.getByRole('alert').getByText("carol's safety number has changed").waitFor();
      expect(await page.locator('#blocked').textContent()).toBe('sendingBlocked: true');
      await shoot(page, `banner-${variant.name}.png`);
    });

    it(`members panel with the actions menu open (${variant.name})`, async () => {
      const page = await openScene('members', variant);
      const panel = page.getByRole('complementary', { name: 'Members' });
      await panel.waitFor();
      await page.screenshot({ path: join(screensDir, `members-list-${variant.name}.png`) });
      // Keyboard: Enter on the menu button opens it with focus on the first item.
      await panel.getByRole('button', { name: 'Actions for bob' }).focus();
      await page.keyboard.press('Enter');
      const menu = page.getByRole('menu');
      expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
        'Kick',
        'Ban',
        'Make admin',
        'Verify safety number',
      ]);
      const focused = () => page.evaluate(() => document.activeElement?.textContent);
      await expect.poll(focused).toBe('Kick');
      await page.keyboard.press('ArrowDown');
      await expect.poll(focused).toBe('Ban');
      await shoot(page, `members-${variant.name}.png`);
    });
  }

  it('nothing broke the CSP or threw', () => {
    expect(cspViolations).toEqual([]);
  });
});
