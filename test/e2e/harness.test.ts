/**
 * The e2e harness watches for what the app must never do; a watcher that
 * sees nothing would pass every test silently. So: each watcher catches the
 * real thing once, in a real page served by the real relay.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { E2E_TIMEOUTS, type Parley, startParley } from './support/parley.ts';
import { dumpStorage, findPlaintext } from './support/storage-dump.ts';

vi.setConfig(E2E_TIMEOUTS);

let parley: Parley;

beforeAll(async () => {
  parley = await startParley('harness');
});

afterAll(async () => {
  await parley?.close();
});

describe('the e2e harness', () => {
  it('the storage dump finds plaintext in IndexedDB as text, as bytes and as base64', async () => {
    const person = await parley.person('hoarder');
    const canary = 'HarnessCanaryOkapi4471 secret words';
    await person.page.evaluate(async (text) => {
      const bytes = new TextEncoder().encode(text);
      const shifted = new Uint8Array([7, ...bytes]);
      const b64 = btoa(String.fromCharCode(...new Uint8Array([1, 2, ...bytes])));
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('harness-canary', 1);
        open.onupgradeneeded = () => {
          open.result.createObjectStore('asText');
          open.result.createObjectStore('asBytes');
          open.result.createObjectStore('asBase64');
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['asText', 'asBytes', 'asBase64'], 'readwrite');
          tx.objectStore('asText').put({ note: text }, 1);
          tx.objectStore('asBytes').put({ blob: shifted.buffer }, 1);
          tx.objectStore('asBase64').put(b64, 1);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });
    }, canary);
    const dump = await dumpStorage(person.page);
    const stores = findPlaintext(dump, canary).map((hit) => hit.split(':')[0]);
    expect(new Set(stores)).toEqual(
      new Set([
        'indexedDB harness-canary/asText',
        'indexedDB harness-canary/asBytes',
        'indexedDB harness-canary/asBase64',
      ]),
    );
  });

  it('serves the built app from the relay under the strict CSP, and a person starts clean', async () => {
    const person = await parley.person('watcher');
    expect(new URL(person.page.url()).origin).toBe(parley.origin);
    expect(await person.page.title()).toContain('Parley');
    expect(() => parley.assertClean()).not.toThrow();
  });

  it('catches a request to another host (and stops it), a CSP violation, an exception and a dialog', async () => {
    const person = await parley.person('offender');
    const stray = await person.context.newPage();
    await expect(stray.goto('http://cdn.example.invalid/lib.js')).rejects.toThrow();
    await stray.close();
    await person.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true';
      document.body.append(script);
      setTimeout(() => {
        throw new Error('harness-boom');
      }, 0);
    });
    await person.page.evaluate(() => alert('harness-dialog'));
    await expect
      .poll(() => person.problems.pageErrors.length + person.problems.cspViolations.length)
      .toBeGreaterThanOrEqual(2);
    expect(await person.page.evaluate(() => 'inlineRan' in window)).toBe(false);
    expect(person.problems.foreignRequests).toEqual(['http://cdn.example.invalid/lib.js']);
    expect(person.problems.cspViolations.join('\n')).toMatch(/script-src/);
    expect(person.problems.pageErrors.join('\n')).toContain('harness-boom');
    expect(person.problems.dialogs).toEqual(['alert: harness-dialog']);
    expect(() => parley.assertClean()).toThrow(/offender/);
    // Forgive the offender so the log shows what was caught but the file ends clean.
    person.problems.foreignRequests.length = 0;
    person.problems.cspViolations.length = 0;
    person.problems.pageErrors.length = 0;
    person.problems.dialogs.length = 0;
  });
});
