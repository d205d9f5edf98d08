import { describe, expect, it } from 'vitest';
import {
  sharedRoomOf,
  startClient,
  startClients,
  type TestClient,
  until,
} from '../../support/engine-client.ts';
import { chainsAgree, cleanupsAfterEach, ikOf } from './membership-support.ts';

const cleanups = cleanupsAfterEach();

describe('membership changes reach members who were offline', () => {
  it('with no member online when it returns, an offline member learns the change from its mailbox', async () => {
    const { relay, users, clients } = await startClients(cleanups, 3);
    const [alice, bob, carol] = clients as [TestClient, TestClient, TestClient];
    const [, bobUser, carolUser] = users;
    const roomId = await sharedRoomOf(clients, 'while you were away');
    await chainsAgree(clients, roomId, users);

    carol.close();
    await until(
      () =>
        alice
          .room(roomId)!
          .presence.members()
          .find((m) => m.userId === carolUser!.account.userId)?.online.length === 0,
      10_000,
      'the relay saw carol go',
    );
    await alice.setRole(roomId, bobUser!.account.userId, 'admin');
    await until(() => bob.room(roomId)!.roles.value.get(ikOf(bobUser!)) === 'admin');
    const head = alice.room(roomId)!.chain.head();
    alice.close();
    bob.close();

    // Carol comes back to an empty room: only the relay's mailbox has the change.
    const back = await startClient(relay, carolUser!);
    cleanups.push(() => back.close());
    await until(
      () => back.room(roomId)?.roles.value.get(ikOf(bobUser!)) === 'admin',
      15_000,
      'carol learned bob is admin',
    );
    expect(back.room(roomId)!.chain.head()).toEqual(head);
    expect(
      back
        .room(roomId)!
        .mesh.peers()
        .filter((p) => p.verified),
    ).toEqual([]);
  }, 90_000);
});
