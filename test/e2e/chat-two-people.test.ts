/**
 * Issue #6, the core promise: two people in two browsers (separate storage,
 * separate devices) sign up, one creates a room, the other joins by the
 * invite link, and what they write — formatting, emoji, links — plus a
 * reaction, an edit and a delete reaches the other side.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  conversationHeading,
  conversationsNav,
  deleteMessage,
  editMessage,
  messageAction,
  messageArticle,
  openConversation,
  react,
  sendMessage,
  THUMBS_UP_1,
  waitConnected,
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
import { roomWith, signedUpPeople } from './support/scenarios.ts';

vi.setConfig(E2E_TIMEOUTS);

let parley: Parley;
let alice: Person;
let bob: Person;

beforeAll(async () => {
  parley = await startParley('chat-two-people');
  [alice, bob] = (await signedUpPeople(parley, ['alice', 'bob'])) as [Person, Person];
  await roomWith([alice, bob], 'general');
});

afterAll(async () => {
  await parley?.close();
});

/** Each test starts where it needs to be, whatever the one before it left behind. */
async function inGeneral(person: Person): Promise<void> {
  if (!(await conversationHeading(person.page, 'general').isVisible())) {
    await openConversation(person.page, 'general');
  }
}

describe('two people chatting in a room', () => {
  it('formatted text with emoji and links arrives rendered, not as markup', async () => {
    await sendMessage(
      alice.page,
      'm1 **bold** and _it_ :tada: with `inline code` and [docs](https://example.org/docs)',
    );
    const article = await waitForMessage(bob.page, 'm1');
    await expect.poll(() => article.locator('strong').allTextContents()).toEqual(['bold']);
    await expect.poll(() => article.locator('em').allTextContents()).toEqual(['it']);
    await expect.poll(() => article.locator('code').allTextContents()).toEqual(['inline code']);
    const link = article.getByRole('link', { name: 'docs', exact: true });
    expect(await link.getAttribute('href')).toBe('https://example.org/docs');
    const text = (await article.textContent()) ?? '';
    expect(text).toContain('🎉');
    expect(text).not.toContain(':tada:');
    expect(text).not.toContain('**');
    expect(text).not.toContain('`');
    expect(text).not.toContain('](');
    // The sender's own copy shows the same rendering and, once it arrived, a delivery mark.
    const own = await waitForMessage(alice.page, 'm1');
    expect(await own.textContent()).toContain('🎉');
    await own
      .getByRole('img', { name: /^(Delivered|Read)$/ })
      .waitFor({ state: 'attached', timeout: CROSS_PEER_MS });
    // The article is labelled "{author}, {time}".
    expect(await article.getAttribute('aria-label')).toMatch(/^alice, .+/);
  });

  it('messages flow both ways', async () => {
    await sendMessage(bob.page, 'm2 hello from bob');
    const atAlice = await waitForMessage(alice.page, 'm2 hello from bob');
    expect(await atAlice.getAttribute('aria-label')).toMatch(/^bob, .+/);
  });

  it("a reaction reaches the author and is marked as the reactor's own", async () => {
    await sendMessage(alice.page, 'm3 react to this');
    const atBob = await waitForMessage(bob.page, 'm3 react to this');
    await react(bob.page, atBob, 'thumbs up');
    const mine = atBob.getByRole('button', { name: THUMBS_UP_1 });
    await mine.waitFor({ timeout: CROSS_PEER_MS });
    expect(await mine.getAttribute('aria-pressed')).toBe('true');
    const atAlice = messageArticle(alice.page, 'm3 react to this');
    const theirs = atAlice.getByRole('button', { name: THUMBS_UP_1 });
    await theirs.waitFor({ timeout: CROSS_PEER_MS });
    expect(await theirs.getAttribute('aria-pressed')).not.toBe('true');
  });

  it('an edit replaces the text on the other side and is marked "(edited)"', async () => {
    await sendMessage(alice.page, 'm4 first draft');
    const own = await waitForMessage(alice.page, 'm4 first draft');
    await waitForMessage(bob.page, 'm4 first draft');
    await editMessage(alice.page, own, 'm4 final words');
    const atBob = await waitForMessage(bob.page, 'm4 final words');
    await atBob.getByText('(edited)', { exact: true }).waitFor({ timeout: CROSS_PEER_MS });
    await expect
      .poll(() => bob.page.getByRole('log', { name: 'Messages' }).textContent(), {
        timeout: CROSS_PEER_MS,
      })
      .not.toContain('m4 first draft');
  });

  it('a delete removes the text on the other side and says so', async () => {
    await sendMessage(alice.page, 'm5 regrettable words');
    const own = await waitForMessage(alice.page, 'm5 regrettable words');
    await waitForMessage(bob.page, 'm5 regrettable words');
    await deleteMessage(alice.page, own);
    const log = bob.page.getByRole('log', { name: 'Messages' });
    await expect
      .poll(() => log.textContent(), { timeout: CROSS_PEER_MS })
      .not.toContain('m5 regrettable words');
    await log
      .getByRole('article')
      .filter({ hasText: 'This message was deleted' })
      .first()
      .waitFor({ timeout: CROSS_PEER_MS });
  });

  it('a reply quotes the message it answers, on both sides', async () => {
    await sendMessage(alice.page, 'm6 who wants lunch');
    const atBob = await waitForMessage(bob.page, 'm6 who wants lunch');
    await messageAction(atBob, 'Reply');
    const replying = bob.page.getByText('Replying to alice', { exact: true });
    await replying.waitFor({ timeout: LOCAL_MS });
    await bob.page.getByRole('button', { name: 'Cancel reply', exact: true }).waitFor();
    await sendMessage(bob.page, 'm7 me please');
    await replying.waitFor({ state: 'hidden', timeout: LOCAL_MS });
    const answer = await waitForMessage(alice.page, 'm7 me please');
    const quote = answer.getByRole('button', { name: 'Go to replied message', exact: true });
    await quote.waitFor({ timeout: CROSS_PEER_MS });
    expect(await answer.textContent()).toContain('who wants lunch');
  });

  it('unread messages are counted in the sidebar and the title while elsewhere', async () => {
    await waitConnected(bob.page);
    await inGeneral(bob);
    // Bob has read everything so far (the room is open at the bottom; the
    // app marks it read after a short pause), then leaves for the home screen.
    await conversationsNav(bob.page)
      .getByRole('link', { name: 'general', exact: true })
      .waitFor({ timeout: CROSS_PEER_MS });
    await bob.page.goto(`${parley.origin}/#/`);
    await conversationHeading(bob.page, 'general').waitFor({ state: 'hidden', timeout: LOCAL_MS });
    await sendMessage(alice.page, 'm8 first while bob looks away');
    await sendMessage(alice.page, 'm9 second while bob looks away');
    const link = conversationsNav(bob.page).getByRole('link', { name: 'general, 2 unread' });
    await link.waitFor({ timeout: CROSS_PEER_MS });
    await expect.poll(() => bob.page.title(), { timeout: LOCAL_MS }).toBe('(2) Parley');
    await link.click();
    await waitForMessage(bob.page, 'm9 second while bob looks away');
    await conversationsNav(bob.page)
      .getByRole('link', { name: 'general', exact: true })
      .waitFor({ timeout: LOCAL_MS });
    await expect.poll(() => bob.page.title(), { timeout: LOCAL_MS }).toBe('Parley');
  });

  it('typing shows on the other side', async () => {
    await inGeneral(alice);
    await inGeneral(bob);
    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('hm');
    await alice.page
      .getByRole('status')
      .filter({ hasText: 'bob is typing…' })
      .waitFor({ timeout: CROSS_PEER_MS });
    await bob.page.getByRole('textbox', { name: 'Message', exact: true }).fill('');
  });

  it('offline is shown, and what was written meanwhile is sent when the connection returns', async () => {
    await inGeneral(bob);
    await bob.context.setOffline(true);
    await bob.page
      .getByRole('alert')
      .filter({ hasText: 'You are offline. Messages will be sent when the connection returns.' })
      .waitFor({ timeout: CROSS_PEER_MS });
    await bob.page
      .getByRole('status')
      .filter({ hasText: /^(Offline|Reconnecting…|Connecting…)$/ })
      .first()
      .waitFor({ timeout: CROSS_PEER_MS });
    await sendMessage(bob.page, 'm10 written offline');
    await bob.context.setOffline(false);
    await waitConnected(bob.page);
    await waitForMessage(alice.page, 'm10 written offline');
  });

  it('no request left for another host, no CSP violation, no uncaught error', () => {
    parley.assertClean();
  });
});
