/**
 * Issue #6, trust: two people in a direct message see the same safety
 * number (60 digits in 12 groups of 5), and it stays the same when one of
 * them signs in with their password on another browser — a new device of
 * the same identity is not a key change.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  openConversation,
  openSettings,
  readSafetyNumber,
  sendMessage,
  signIn,
  signInWithRecoveryKey,
  startDirectMessage,
  waitForMessage,
} from './support/actions.ts';
import {
  CROSS_PEER_MS,
  E2E_TIMEOUTS,
  LOCAL_MS,
  type Parley,
  type Person,
  startParley,
} from './support/parley.ts';
import { signedUpPeople } from './support/scenarios.ts';

vi.setConfig(E2E_TIMEOUTS);

let parley: Parley;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  parley = await startParley('safety-number');
  [alice, bob] = (await signedUpPeople(parley, ['alice', 'bob'])) as [Person, Person];
});

afterAll(async () => {
  await parley?.close();
});

async function safetyNumberShown(page: Page, username: string): Promise<string> {
  const digits = await readSafetyNumber(page, username);
  const dialog = page.getByRole('dialog', { name: `Safety number with ${username}` });
  const raw = ((await dialog.getByLabel('Safety number', { exact: true }).textContent()) ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  expect(raw, 'twelve groups of five digits').toMatch(/^(\d{5} ){11}\d{5}$/);
  await dialog.getByRole('img', { name: 'QR code', exact: true }).waitFor({ timeout: LOCAL_MS });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden', timeout: LOCAL_MS });
  return digits;
}

describe('safety numbers in a direct message', () => {
  let number: string;

  it('both sides of a DM show the same 60-digit safety number', async () => {
    await startDirectMessage(alice.page, 'bob');
    await sendMessage(alice.page, 'd1 hi bob');
    await openConversation(bob.page, 'alice');
    await waitForMessage(bob.page, 'd1 hi bob');
    const atAlice = await safetyNumberShown(alice.page, 'bob');
    const atBob = await safetyNumberShown(bob.page, 'alice');
    expect(atAlice).toMatch(/^\d{60}$/);
    expect(atBob).toBe(atAlice);
    number = atAlice;
  });

  it('marking it verified shows "Verified"', async () => {
    await alice.page.getByRole('button', { name: 'Verify bob', exact: true }).click();
    const dialog = alice.page.getByRole('dialog', { name: 'Safety number with bob' });
    await dialog.getByRole('button', { name: 'Mark as verified', exact: true }).click();
    await dialog.getByText('Verified', { exact: true }).waitFor({ timeout: LOCAL_MS });
    await dialog
      .getByRole('button', { name: 'Unmark verified', exact: true })
      .waitFor({ timeout: LOCAL_MS });
    await alice.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: LOCAL_MS });
  });

  it('a password sign-in on a third browser shows the same number, and no key-change warning', async () => {
    const laptop = await parley.device(bob, 'laptop');
    await signIn(laptop.page, bob.username, bob.password);
    await startDirectMessage(laptop.page, 'alice');
    expect(await safetyNumberShown(laptop.page, 'alice')).toBe(number);
    expect(await safetyNumberShown(alice.page, 'bob')).toBe(number);

    await sendMessage(laptop.page, 'd2 from bobs laptop');
    await waitForMessage(alice.page, 'd2 from bobs laptop', CROSS_PEER_MS);
    const warning = alice.page
      .getByRole('alert')
      .filter({ hasText: "bob's safety number has changed" });
    expect(await warning.count()).toBe(0);
    // Sending is not blocked, and the answer reaches the new device.
    await sendMessage(alice.page, 'd3 hello laptop');
    await waitForMessage(laptop.page, 'd3 hello laptop', CROSS_PEER_MS);
    // "My devices" on the laptop lists bob's first browser too (certified by his identity key).
    const settings = await openSettings(laptop.page);
    const devices = settings.getByRole('list', { name: 'My devices' });
    await devices.getByRole('listitem').filter({ hasText: 'Another device' }).waitFor({
      timeout: CROSS_PEER_MS,
    });
    expect(await devices.getByRole('listitem').count()).toBe(2);
  });

  it('the recovery key signs in on yet another browser, with the same safety number', async () => {
    expect(alice.recoveryKey, 'sign-up showed a recovery key').toBeTruthy();
    const tablet = await parley.device(alice, 'tablet');
    await signInWithRecoveryKey(tablet.page, alice.username, alice.recoveryKey ?? '');
    await startDirectMessage(tablet.page, 'bob');
    expect(await safetyNumberShown(tablet.page, 'bob')).toBe(number);
  });

  it('no request left for another host, no CSP violation, no uncaught error', () => {
    parley.assertClean();
  });
});
