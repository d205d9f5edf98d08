/**
 * Issue #6, hostile input: what another person writes — in messages and in
 * file names — is shown as text, never run. Script tags, event-handler
 * attributes, javascript: and data: links (raw and as Markdown), SVG, an
 * iframe, a style element, a remote Markdown image (would also be a request
 * to another host), a right-to-left override and a very long word.
 * Checked on the receiver and on the sender: no dialog opened, no script
 * ran, no active element in the message log, the text visible literally,
 * nothing wider than the window.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { attachFiles, messageLog, sendMessage, waitForMessage } from './support/actions.ts';
import {
  CROSS_PEER_MS,
  E2E_TIMEOUTS,
  type Parley,
  type Person,
  startParley,
} from './support/parley.ts';
import { roomWith, signedUpPeople } from './support/scenarios.ts';

vi.setConfig(E2E_TIMEOUTS);

const RLO = '\u202E';

/** Raw HTML: must appear character for character. Each starts with a unique tag for finding it. */
const LITERAL_PAYLOADS = [
  `x01 <script>window.xssRan=1;alert('x01')</script>`,
  `x02 <img src=x onerror="window.xssRan=2;alert('x02')">`,
  `x03 <a href="javascript:alert('x03')">js link</a>`,
  `x04 <svg onload="window.xssRan=4;alert('x04')"><circle r=5></circle></svg>`,
  `x05 <iframe src="javascript:alert('x05')"></iframe>`,
  `x06 <b>not bold</b> &lt;i&gt;not italic&lt;/i&gt; &amp;`,
  `x07 <style>body{display:none}</style>`,
  `x08 <a href="https://evil.example/" onclick="alert('x08')">click</a>`,
  `x09 <details open ontoggle="alert('x09')">t</details>`,
  `x10 "><img src=x onerror=alert('x10')>`,
];

/** Markdown that must not become an active link or a remote image. */
const MARKDOWN_PAYLOADS = [
  `x11 [click me](javascript:alert('x11'))`,
  `x12 [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `x13 ![tracker](https://evil.example/pixel.png)`,
  `x14 [vb](vbscript:msgbox(1)) and <javascript:alert('x14')>`,
  `x15 [ok](JaVaScRiPt:alert('x15'))`,
];

const RTL_MESSAGE = `x16 invoice${RLO}gnp.exe`;
const LONG_WORD = `x17 ${'W'.repeat(6000)}`;

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;

/**
 * How a file name is shown: literally, except that a bidi control (which
 * would display "report\u202Efdp.exe" as "reportexe.pdf") appears as a
 * visible marker "<U+202E>" (web/ui/trust/visible-text.ts).
 */
function visibleName(name: string): string {
  return name.replace(
    new RegExp(BIDI_CONTROLS.source, 'gu'),
    (c) => `<U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}>`,
  );
}

const FILE_NAMES = [
  `<img src=x onerror=alert('f1')>.txt`,
  `<svg onload=alert('f2')>.txt`,
  `report${RLO}fdp.exe`,
  `javascript:alert('f4').txt`,
];

let parley: Parley;
let alice: Person;
let bob: Person;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-e2e-xss-'));
  parley = await startParley('xss-corpus');
  [alice, bob] = (await signedUpPeople(parley, ['alice', 'bob'])) as [Person, Person];
  await roomWith([alice, bob], 'hostile');
});

afterAll(async () => {
  await parley?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Inertness {
  activeElements: string[];
  handlerAttributes: string[];
  badLinks: string[];
  badImages: string[];
  scriptRan: unknown;
  overflowPx: number;
}

/** What in the message log could act: elements, handlers, links, images; and page overflow. */
async function inertness(page: Page, relayOrigin: string): Promise<Inertness> {
  return messageLog(page).evaluate((log, origin) => {
    const all = Array.from(log.querySelectorAll('*'));
    const active = all
      .filter((el) =>
        [
          'SCRIPT',
          'IFRAME',
          'OBJECT',
          'EMBED',
          'STYLE',
          'LINK',
          'META',
          'BASE',
          'FORM',
          'DETAILS',
        ].includes(el.tagName.toUpperCase()),
      )
      .map((el) => el.outerHTML.slice(0, 120));
    const handlers = all.flatMap((el) =>
      Array.from(el.attributes)
        .filter((a) => /^on/i.test(a.name))
        .map((a) => `${el.tagName} ${a.name}=${a.value}`),
    );
    const links = Array.from(log.querySelectorAll('a[href]'))
      .map((a) => (a as HTMLAnchorElement).href)
      .filter((href) => !/^(https?:|mailto:)/i.test(href) && !href.startsWith(`${origin}/#`));
    const images = Array.from(log.querySelectorAll('img, image, video, audio, source'))
      .map((el) => el.getAttribute('src') ?? el.getAttribute('href') ?? '')
      .filter((src) => src !== '' && !/^(blob:|data:image\/)/.test(src) && !src.startsWith(origin));
    const root = document.documentElement;
    return {
      activeElements: active,
      handlerAttributes: handlers,
      badLinks: links,
      badImages: images,
      scriptRan: (window as unknown as { xssRan?: unknown }).xssRan ?? null,
      overflowPx: Math.max(0, root.scrollWidth - root.clientWidth),
    };
  }, relayOrigin);
}

describe('hostile input is shown as text', () => {
  it('raw HTML in messages shows literally and nothing in it runs', async () => {
    for (const payload of LITERAL_PAYLOADS) await sendMessage(alice.page, payload);
    for (const page of [bob.page, alice.page]) {
      for (const payload of LITERAL_PAYLOADS) {
        const tag = payload.slice(0, 3);
        const article = await waitForMessage(page, tag);
        const text = (await article.textContent()) ?? '';
        expect(text, `${tag} shown literally`).toContain(payload.slice(4));
      }
      expect(await inertness(page, parley.origin)).toEqual({
        activeElements: [],
        handlerAttributes: [],
        badLinks: [],
        badImages: [],
        scriptRan: null,
        overflowPx: 0,
      });
    }
  });

  it('Markdown links to javascript:, data: and vbscript: are not links, remote images are not loaded', async () => {
    for (const payload of MARKDOWN_PAYLOADS) await sendMessage(alice.page, payload);
    for (const page of [bob.page, alice.page]) {
      for (const payload of MARKDOWN_PAYLOADS) {
        const tag = payload.slice(0, 3);
        const article = await waitForMessage(page, tag);
        const links = await article
          .locator('a[href]')
          .evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
        expect(
          links.filter((h) => !/^https?:/i.test(h)),
          `${tag} has no script link`,
        ).toEqual([]);
        expect(await article.locator('img').count(), `${tag} has no remote image`).toBe(0);
      }
      const inert = await inertness(page, parley.origin);
      expect(inert.badLinks).toEqual([]);
      expect(inert.badImages).toEqual([]);
      expect(inert.scriptRan).toBe(null);
    }
  });

  it('a right-to-left override stays text', async () => {
    await sendMessage(alice.page, RTL_MESSAGE);
    for (const page of [bob.page, alice.page]) {
      const rtl = await waitForMessage(page, 'x16');
      const rtlText = ((await rtl.textContent()) ?? '').replace(
        /[\u202A-\u202E\u2066-\u2069]/g,
        '',
      );
      expect(rtlText).toContain('invoicegnp.exe');
    }
  });

  // Sent last among the messages: the list is virtualised, and a message this
  // tall pushes the ones before it out of the rendered window.
  it('a 6000-character word wraps inside its message', async () => {
    await sendMessage(alice.page, LONG_WORD);
    for (const page of [bob.page, alice.page]) {
      const long = await waitForMessage(page, 'x17');
      expect((await long.textContent()) ?? '').toContain('W'.repeat(6000));
      const box = await long.boundingBox();
      const logBox = await messageLog(page).boundingBox();
      expect(box && logBox, 'both laid out').toBeTruthy();
      if (box && logBox) {
        expect(box.x + box.width, 'the long word wraps inside the log').toBeLessThanOrEqual(
          logBox.x + logBox.width + 1,
        );
      }
      expect((await inertness(page, parley.origin)).overflowPx, 'no horizontal scroll').toBe(0);
    }
  });

  it('hostile file names show as text', async () => {
    const paths = FILE_NAMES.map((name, i) => {
      const path = join(dir, name);
      writeFileSync(path, `file ${i}\n`);
      return path;
    });
    await attachFiles(alice.page, paths);
    for (const page of [bob.page, alice.page]) {
      for (const name of FILE_NAMES) {
        const shown = visibleName(name);
        const group = messageLog(page).getByRole('group', { name: shown, exact: true });
        await group.waitFor({ timeout: CROSS_PEER_MS });
        const text = (await group.textContent()) ?? '';
        expect(text).toContain(shown);
        expect(text, 'no raw bidi control left to reorder the name').not.toMatch(BIDI_CONTROLS);
      }
      expect(await inertness(page, parley.origin)).toEqual({
        activeElements: [],
        handlerAttributes: [],
        badLinks: [],
        badImages: [],
        scriptRan: null,
        overflowPx: 0,
      });
    }
  });

  it('no dialog opened, no request left for another host, no CSP violation, no uncaught error', () => {
    parley.assertClean();
  });
});
