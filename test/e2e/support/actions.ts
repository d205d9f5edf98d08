/**
 * What a person does in the app, by role and accessible name exactly as
 * /work/notes/ui-contract.md lists them (the contract is binding: a test
 * that cannot find a control by its contract name has found a bug).
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { CROSS_PEER_MS, LOCAL_MS, type Person } from './parley.ts';
import { until } from './poll.ts';

/** Argon2id in the page (64 MiB) plus the first relay round trips. */
const ACCOUNT_MS = 60_000;

export function conversationsNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Conversations' });
}

/** Waits for the main layout (signed in, unlocked). */
export async function waitSignedIn(page: Page, timeout = ACCOUNT_MS): Promise<void> {
  await conversationsNav(page).waitFor({ state: 'visible', timeout });
}

/** Waits for the relay connection to be reported "Connected". */
export async function waitConnected(page: Page, timeout = CROSS_PEER_MS): Promise<void> {
  await page
    .getByRole('status')
    .filter({ hasText: /^Connected$/ })
    .first()
    .waitFor({ state: 'attached', timeout });
}

/**
 * Creates an account through onboarding; returns the recovery key shown.
 * Leaves the person signed in at the main layout.
 */
export async function signUp(page: Page, username: string, password: string): Promise<string> {
  await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor({ timeout: LOCAL_MS });
  await page.getByRole('tab', { name: 'Create account' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account', exact: true }).click();
  const keyRegion = page
    .getByRole('dialog', { name: 'Your recovery key' })
    .or(page.getByRole('region', { name: 'Your recovery key' }));
  await keyRegion.waitFor({ timeout: ACCOUNT_MS });
  const keyElement = keyRegion.getByLabel('Recovery key', { exact: true });
  const recoveryKey = ((await keyElement.textContent()) ?? '').trim();
  expect(recoveryKey.length).toBeGreaterThan(20);
  const cont = keyRegion.getByRole('button', { name: 'Continue', exact: true });
  expect(await cont.isDisabled(), '"Continue" waits for the checkbox').toBe(true);
  await keyRegion.getByRole('checkbox', { name: 'I have saved my recovery key' }).check();
  await cont.click();
  await waitSignedIn(page);
  return recoveryKey;
}

export async function signUpPerson(person: Person): Promise<string> {
  const key = await signUp(person.page, person.username, person.password);
  person.recoveryKey = key;
  return key;
}

/** Signs in with the password on the onboarding screen. */
export async function signIn(
  page: Page,
  username: string,
  password: string,
  rememberDevice = true,
): Promise<void> {
  await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor({ timeout: LOCAL_MS });
  await page.getByRole('tab', { name: 'Sign in' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('checkbox', { name: 'Remember this device' }).setChecked(rememberDevice);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitSignedIn(page);
}

/** Signs in on a new device with the recovery key instead of the password. */
export async function signInWithRecoveryKey(
  page: Page,
  username: string,
  recoveryKey: string,
): Promise<void> {
  await page.getByRole('heading', { name: 'Welcome to Parley' }).waitFor({ timeout: LOCAL_MS });
  await page.getByRole('tab', { name: 'Sign in' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill(username);
  await page.getByRole('button', { name: 'Use recovery key instead', exact: true }).click();
  await page.getByRole('textbox', { name: 'Recovery key', exact: true }).fill(recoveryKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await waitSignedIn(page);
}

/**
 * Back in the app on a device that was used before: a remembered device
 * opens straight to the main layout; a known but not remembered one asks for
 * the password to unlock ("Welcome back" → "Unlock"); a signed-out one shows
 * onboarding. Returns which of the three happened.
 */
export async function resumeSession(
  page: Page,
  person: Person,
): Promise<'remembered' | 'unlocked' | 'signed-in'> {
  const signedIn = conversationsNav(page);
  const unlock = page.getByRole('heading', { name: 'Welcome back' });
  const welcome = page.getByRole('heading', { name: 'Welcome to Parley' });
  await signedIn.or(unlock).or(welcome).first().waitFor({ timeout: ACCOUNT_MS });
  if (await signedIn.isVisible()) return 'remembered';
  if (await unlock.isVisible()) {
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await waitSignedIn(page);
    return 'unlocked';
  }
  await signIn(page, person.username, person.password);
  return 'signed-in';
}

/** The open conversation's name (heading level 1). */
export function conversationHeading(page: Page, name: string): Locator {
  return page.getByRole('heading', { level: 1, name, exact: true });
}

/** Creates a room; returns its id (from the `#/room/<id>` route it opens). */
export async function createRoom(
  page: Page,
  name: string,
  visibility: 'Public' | 'Private' = 'Private',
): Promise<string> {
  await page.getByRole('button', { name: 'New room', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New room' });
  await dialog.getByRole('textbox', { name: 'Room name' }).fill(name);
  await dialog.getByRole('radio', { name: visibility, exact: true }).check();
  await dialog.getByRole('button', { name: 'Create room', exact: true }).click();
  await conversationHeading(page, name).waitFor({ timeout: CROSS_PEER_MS });
  const hash = await until(
    () => new URL(page.url()).hash,
    (h) => h.startsWith('#/room/'),
    'the #/room/<id> route',
    LOCAL_MS,
  );
  return decodeURIComponent(hash.slice('#/room/'.length));
}

/** "Copy invite link" on the open room; reads the link from the readonly "Invite link" textbox. */
export async function inviteLink(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Copy invite link', exact: true }).click();
  const box = page.getByRole('textbox', { name: 'Invite link', exact: true });
  await box.waitFor({ timeout: LOCAL_MS });
  return until(
    () => box.inputValue(),
    (v) => v.includes('#/join/'),
    'an invite link',
    LOCAL_MS,
  );
}

/** Opens an invite link while signed in: joins and opens the room. */
export async function openInviteLink(page: Page, link: string, roomName: string): Promise<void> {
  await page.goto(link);
  await conversationHeading(page, roomName).waitFor({ timeout: CROSS_PEER_MS });
}

/** The conversation's link in the sidebar (its accessible name starts with the name). */
export function conversationLink(page: Page, name: string): Locator {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return conversationsNav(page).getByRole('link', { name: new RegExp(`^${escaped}(,|$)`) });
}

export async function openConversation(page: Page, name: string): Promise<void> {
  await conversationLink(page, name).click({ timeout: CROSS_PEER_MS });
  await conversationHeading(page, name).waitFor({ timeout: LOCAL_MS });
}

export function messageLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Messages' });
}

/** The message whose rendered text contains `text` (the newest if several). */
export function messageArticle(page: Page, text: string | RegExp): Locator {
  return messageLog(page).getByRole('article').filter({ hasText: text }).last();
}

/** Types into the composer and presses "Send". */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await until(
    () => box.inputValue(),
    (v) => v === '',
    'the composer to empty',
    LOCAL_MS,
  );
}

/** Waits until a message containing `text` is shown. */
export async function waitForMessage(
  page: Page,
  text: string | RegExp,
  timeout = CROSS_PEER_MS,
): Promise<Locator> {
  const article = messageArticle(page, text);
  await article.waitFor({ state: 'visible', timeout });
  return article;
}

/** Hover/focus reveals per-message actions (they are always in the DOM). */
export async function messageAction(article: Locator, action: string): Promise<void> {
  await article.hover();
  await article.getByRole('button', { name: action, exact: true }).click();
}

/** "Add reaction" → emoji picker → search → the emoji by its name. */
export async function react(page: Page, article: Locator, emojiName: string): Promise<void> {
  await messageAction(article, 'Add reaction');
  const picker = page.getByRole('dialog', { name: 'Emoji picker' });
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill(emojiName);
  await picker.getByRole('button', { name: emojiName, exact: true }).first().click();
}

/** "Edit" → the composer holds the text → replace → Enter saves. */
export async function editMessage(page: Page, article: Locator, newText: string): Promise<void> {
  await messageAction(article, 'Edit');
  await page
    .getByRole('status')
    .filter({ hasText: 'Editing message' })
    .waitFor({ timeout: LOCAL_MS });
  const box = page.getByRole('textbox', { name: 'Message', exact: true });
  await box.fill(newText);
  await box.press('Enter');
  await until(
    () => box.inputValue(),
    (v) => v === '',
    'the composer to empty',
    LOCAL_MS,
  );
}

/** "Delete" → dialog "Delete message?" → "Delete". */
export async function deleteMessage(page: Page, article: Locator): Promise<void> {
  await messageAction(article, 'Delete');
  const dialog = page.getByRole('dialog', { name: 'Delete message?' });
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: LOCAL_MS });
}

/** "New direct message" → username → "Start conversation"; the DM opens. */
export async function startDirectMessage(page: Page, username: string): Promise<void> {
  await page.getByRole('button', { name: 'New direct message', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New direct message' });
  await dialog.getByRole('textbox', { name: 'Username', exact: true }).fill(username);
  await dialog.getByRole('button', { name: 'Start conversation', exact: true }).click();
  await conversationHeading(page, username).waitFor({ timeout: CROSS_PEER_MS });
}

/** DM header "Verify {username}" → the dialog; returns the 60 digits (spaces removed). */
export async function readSafetyNumber(page: Page, username: string): Promise<string> {
  await page.getByRole('button', { name: `Verify ${username}`, exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Safety number with ${username}` });
  const digits = dialog.getByLabel('Safety number', { exact: true });
  await digits.waitFor({ timeout: CROSS_PEER_MS });
  const text = ((await digits.textContent()) ?? '').replace(/\s+/g, '');
  return text;
}

/** Opens Settings (button "Settings"); returns the settings dialog or page region. */
export async function openSettings(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  const settings = page
    .getByRole('dialog', { name: 'Settings' })
    .or(page.getByRole('main').filter({ has: page.getByRole('radiogroup', { name: 'Theme' }) }));
  await settings.first().waitFor({ timeout: LOCAL_MS });
  return settings.first();
}

/** "Attach files" → the file chooser (the hidden "Attach files input") → these files. */
export async function attachFiles(page: Page, paths: string[]): Promise<void> {
  await page.getByLabel('Attach files input', { exact: true }).waitFor({ state: 'attached' });
  const chooser = page.waitForEvent('filechooser', { timeout: LOCAL_MS });
  await page.getByRole('button', { name: 'Attach files', exact: true }).click();
  await (await chooser).setFiles(paths);
}

/** The reaction button "👍 1"; the emoji data spells it with or without VS16 (U+FE0F). */
export const THUMBS_UP_1 = /^👍\uFE0F? 1$/u;
