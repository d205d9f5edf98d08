/**
 * Issue #6, "nothing is lost": three people in a room. One reloads and the
 * history is still there (it lives on the device). One closes their browser
 * page — the honest "offline": a context set offline can keep its loopback
 * WebRTC channels — and, back later on the same device, gets everything said
 * while they were away.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  conversationHeading,
  openConversation,
  resumeSession,
  sendMessage,
  waitForMessage,
} from './support/actions.ts';
import {
  CROSS_PEER_MS,
  E2E_TIMEOUTS,
  type Parley,
  type Person,
  startParley,
} from './support/parley.ts';
import { roomWith, signedUpPeople } from './support/scenarios.ts';

vi.setConfig(E2E_TIMEOUTS);

const ROOM = 'team';

let parley: Parley;
let alice: Person;
let bob: Person;
let carol: Person;

beforeAll(async () => {
  parley = await startParley('history-offline');
  [alice, bob, carol] = (await signedUpPeople(parley, ['alice', 'bob', 'carol'])) as [
    Person,
    Person,
    Person,
  ];
  await roomWith([alice, bob, carol], ROOM);
});

afterAll(async () => {
  await parley?.close();
});

/** Opens the room unless the app already restored it (the route survives a reload). */
async function inRoom(person: Person): Promise<void> {
  if (!(await conversationHeading(person.page, ROOM).isVisible())) {
    await openConversation(person.page, ROOM);
  }
}

describe('history and offline members', () => {
  it('everyone sees what everyone says', async () => {
    await sendMessage(alice.page, 'h1 from alice');
    await sendMessage(bob.page, 'h2 from bob');
    for (const p of [alice, bob, carol]) {
      await waitForMessage(p.page, 'h1 from alice');
      await waitForMessage(p.page, 'h2 from bob');
    }
  });

  it('after a reload the history is still there, in order', async () => {
    await carol.page.reload();
    await resumeSession(carol.page, carol);
    await inRoom(carol);
    const first = await waitForMessage(carol.page, 'h1 from alice');
    await waitForMessage(carol.page, 'h2 from bob');
    const texts = await carol.page
      .getByRole('log', { name: 'Messages' })
      .getByRole('article')
      .allTextContents();
    const i1 = texts.findIndex((t) => t.includes('h1 from alice'));
    const i2 = texts.findIndex((t) => t.includes('h2 from bob'));
    expect(i1).toBeGreaterThanOrEqual(0);
    expect(i2).toBeGreaterThan(i1);
    expect(await first.getAttribute('aria-label')).toMatch(/^alice, /);
    // And the reloaded page still talks: a new message reaches the others.
    await sendMessage(carol.page, 'h3 carol is back');
    await waitForMessage(alice.page, 'h3 carol is back');
    await waitForMessage(bob.page, 'h3 carol is back');
  });

  it('someone who was away gets what they missed when they come back', async () => {
    // Bob closes the app (his device keeps its storage).
    await bob.page.close();
    await sendMessage(alice.page, 'h4 said while bob was away');
    await sendMessage(carol.page, 'h5 also while bob was away');
    // Both are on their senders' screens; whether they reached anyone else
    // is what bob's return checks.
    await waitForMessage(alice.page, 'h4 said while bob was away');
    await waitForMessage(carol.page, 'h5 also while bob was away');

    // Bob comes back on the same device.
    bob.page = await bob.context.newPage();
    await bob.page.goto(parley.origin);
    await resumeSession(bob.page, bob);
    await inRoom(bob);
    await waitForMessage(bob.page, 'h4 said while bob was away', CROSS_PEER_MS);
    await waitForMessage(bob.page, 'h5 also while bob was away', CROSS_PEER_MS);
    // What he had before is still there too.
    await waitForMessage(bob.page, 'h1 from alice');
    // And he can answer.
    await sendMessage(bob.page, 'h6 bob caught up');
    await waitForMessage(alice.page, 'h6 bob caught up');
    await waitForMessage(carol.page, 'h6 bob caught up');
  });

  it('no request left for another host, no CSP violation, no uncaught error', () => {
    parley.assertClean();
  });
});
