/**
 * Issue #6, rooms: a public room is found in the "Public rooms" list and
 * joined from there, a room is joined by pasting its id, a member leaves,
 * and the owner kicks someone from the members panel.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  conversationHeading,
  conversationLink,
  createRoom,
  sendMessage,
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

const ROOM = 'town-square';

let parley: Parley;
let alice: Person;
let bob: Person;
let carol: Person;
let roomId: string;

beforeAll(async () => {
  parley = await startParley('rooms-moderation');
  [alice, bob, carol] = (await signedUpPeople(parley, ['alice', 'bob', 'carol'])) as [
    Person,
    Person,
    Person,
  ];
});

afterAll(async () => {
  await parley?.close();
});

function membersPanel(page: Page) {
  return page.getByRole('complementary', { name: 'Members' });
}

describe('public rooms, leaving and kicking', () => {
  it('a public room is listed and joined with "Join {name}"', async () => {
    roomId = await createRoom(alice.page, ROOM, 'Public');
    await bob.page.getByRole('button', { name: 'Join room', exact: true }).click();
    const dialog = bob.page.getByRole('dialog', { name: 'Join a room' });
    const listed = dialog
      .getByRole('list', { name: 'Public rooms' })
      .getByRole('button', { name: `Join ${ROOM}`, exact: true });
    await listed.waitFor({ timeout: CROSS_PEER_MS });
    await listed.click();
    await conversationHeading(bob.page, ROOM).waitFor({ timeout: CROSS_PEER_MS });
  });

  it('a room is joined by pasting its id', async () => {
    await carol.page.getByRole('button', { name: 'Join room', exact: true }).click();
    const dialog = carol.page.getByRole('dialog', { name: 'Join a room' });
    await dialog.getByRole('textbox', { name: 'Invite link or room id', exact: true }).fill(roomId);
    await dialog.getByRole('button', { name: 'Join', exact: true }).click();
    await conversationHeading(carol.page, ROOM).waitFor({ timeout: CROSS_PEER_MS });
    await sendMessage(alice.page, 't1 welcome, both of you');
    await waitForMessage(bob.page, 't1 welcome, both of you');
    await waitForMessage(carol.page, 't1 welcome, both of you');
  });

  it('a member leaves after confirming, and the others see them gone', async () => {
    await alice.page.getByRole('button', { name: 'Members', exact: true }).click();
    const members = membersPanel(alice.page);
    await members.getByRole('listitem').filter({ hasText: 'carol' }).waitFor({ timeout: LOCAL_MS });

    await carol.page.getByRole('button', { name: 'Leave room', exact: true }).click();
    const confirm = carol.page.getByRole('dialog', { name: `Leave ${ROOM}?` });
    await confirm.getByRole('button', { name: 'Leave', exact: true }).click();
    await conversationLink(carol.page, ROOM).waitFor({ state: 'detached', timeout: CROSS_PEER_MS });
    await members
      .getByRole('listitem')
      .filter({ hasText: 'carol' })
      .waitFor({ state: 'detached', timeout: CROSS_PEER_MS });
  });

  it('the owner kicks a member from the members panel', async () => {
    const members = membersPanel(alice.page);
    await members.getByRole('button', { name: 'Actions for bob', exact: true }).click();
    const menu = alice.page.getByRole('menu');
    // An owner may do all of these to a member; "Remove admin" is for admins only.
    for (const item of ['Kick', 'Ban', 'Make admin', 'Verify safety number']) {
      await menu.getByRole('menuitem', { name: item, exact: true }).waitFor({ timeout: LOCAL_MS });
    }
    expect(await menu.getByRole('menuitem', { name: 'Remove admin', exact: true }).count()).toBe(0);
    await menu.getByRole('menuitem', { name: 'Kick', exact: true }).click();
    // The confirmation is not in the contract; the app names it "Kick {username}?".
    const confirm = alice.page.getByRole('dialog', { name: 'Kick bob?' });
    await confirm.getByRole('button', { name: 'Kick', exact: true }).click();
    await members
      .getByRole('listitem')
      .filter({ hasText: 'bob' })
      .waitFor({ state: 'detached', timeout: CROSS_PEER_MS });
    await conversationLink(bob.page, ROOM).waitFor({ state: 'detached', timeout: CROSS_PEER_MS });
  });

  it('no request left for another host, no CSP violation, no uncaught error', () => {
    parley.assertClean();
  });
});
