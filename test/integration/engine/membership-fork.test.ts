import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { sharedRoomOf, startClients, type TestClient, until } from '../../support/engine-client.ts';
import { chainsAgree, headOf, ikOf } from './membership-support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

describe('a fork in the membership chain', () => {
  it('two admins acting at once: every peer converges on one chain holding both changes', async () => {
    const { users, clients } = await startClients(cleanups, 5, {
      webrtc: [false, false, false, false, false],
    });
    const [alice, bob, carol, dave, erin] = clients as [
      TestClient,
      TestClient,
      TestClient,
      TestClient,
      TestClient,
    ];
    const [aliceUser, bobUser, carolUser, daveUser, erinUser] = users;
    const roomId = await sharedRoomOf(clients, 'busy');
    await chainsAgree(clients, roomId, users, 'all five joined');
    await alice.setRole(roomId, bobUser!.account.userId, 'admin');
    await chainsAgree(clients, roomId, users, 'bob is admin everywhere');
    const before = alice.room(roomId)!.chain.head()!.seq;

    // Both sign on the same head before either hears of the other: a fork.
    const forks: string[] = [];
    for (const c of clients)
      c.room(roomId)!.chainSync.events.on('offered', (_from, outcome) => forks.push(outcome));
    const alicesKick = alice.room(roomId)!.chain.append({ op: 'kick', subject: ikOf(carolUser!) });
    const bobsKick = bob.room(roomId)!.chain.append({ op: 'kick', subject: ikOf(daveUser!) });
    expect(alicesKick.ok && bobsKick.ok).toBe(true);
    expect(alice.room(roomId)!.chain.head()!.seq).toBe(bob.room(roomId)!.chain.head()!.seq);
    expect(headOf(alice, roomId)).not.toBe(headOf(bob, roomId));

    const removed: string[] = [];
    for (const c of [carol, dave]) c.events.on('removed', (r) => removed.push(r.reason));
    // Everyone still in ends on one chain: the loser re-signed on the winner.
    await chainsAgree(
      [alice, bob, erin],
      roomId,
      [aliceUser!, bobUser!, erinUser!],
      'one chain everywhere',
    );
    // The two kicked learn it from whichever branch reached them, and close the room.
    await until(
      () => [carol, dave].every((c) => !c.room(roomId) && !c.conversation(roomId)),
      20_000,
      'the kicked closed the room',
    );
    expect(removed).toEqual(['kicked', 'kicked']);
    expect(alice.room(roomId)!.chain.head()!.seq).toBe(before + 2);
    expect(forks).toContain('not-preferred');
    await until(() =>
      [alice, bob, erin].every((c) => c.room(roomId)!.session.recipients().length === 2),
    );
  }, 120_000);
});
