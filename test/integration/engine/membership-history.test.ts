import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { MembershipError } from '../../../web/core/room-chain.ts';
import { startClients, type TestClient, until } from '../../support/engine-client.ts';
import { chainsAgree, linkedTo, texts } from './membership-support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

describe('the room history setting', () => {
  it('"from join on" gives a late joiner nothing from before its join, while "shared" backfills', async () => {
    const { users, clients } = await startClients(cleanups, 3);
    const [alice, bob, carol] = clients as [TestClient, TestClient, TestClient];
    const shared = (await alice.createRoom('shared history', 'public')).roomId;
    const fromJoin = (await alice.createRoom('fresh start', 'public', { history: 'since-join' }))
      .roomId;
    expect(alice.room(fromJoin)!.membership.value?.history).toBe('since-join');
    expect(alice.room(shared)!.membership.value?.history).toBe('shared');
    await bob.joinRoom(shared);
    await bob.joinRoom(fromJoin);
    for (const roomId of [shared, fromJoin]) {
      await chainsAgree([alice, bob], roomId, users.slice(0, 2));
      await alice.sendText(roomId, `before carol: ${roomId === shared ? 'shared' : 'private'}`);
      await bob.sendText(roomId, 'bob, also before carol');
      await until(() => texts(alice, roomId).length === 2 && texts(bob, roomId).length === 2);
    }
    await new Promise((r) => setTimeout(r, 20));

    await carol.joinRoom(shared);
    await carol.joinRoom(fromJoin);
    await chainsAgree(clients, shared, users);
    await chainsAgree(clients, fromJoin, users);
    await until(
      () => texts(carol, shared).length === 2,
      15_000,
      'carol backfilled the shared room',
    );
    expect(texts(carol, shared)).toEqual(texts(alice, shared));

    await until(() => linkedTo(carol, fromJoin, 2));
    await alice.sendText(fromJoin, 'after carol joined');
    await until(() => texts(carol, fromJoin).includes('after carol joined'));
    // Both members were asked (on link open, and again once the chain had Carol):
    // give any backfill answer time to land before checking it held nothing old.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(texts(carol, fromJoin)).toEqual(['after carol joined']);

    // Only the owner changes the setting, and it is a chain entry every member sees.
    await expect(bob.setRoomHistory(fromJoin, 'shared')).rejects.toBeInstanceOf(MembershipError);
    await alice.setRoomHistory(fromJoin, 'shared');
    await until(() =>
      clients.every((c) => c.room(fromJoin)!.membership.value?.history === 'shared'),
    );
  }, 90_000);
});
