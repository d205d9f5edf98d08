/**
 * A member who is kicked or banned stops seeing the room on every device of
 * theirs: the room closes, leaves the conversation list, the client says so
 * once, and a restart does not bring it back. What they had read stays on
 * the device.
 */
import { describe, expect, it } from 'vitest';
import type { RoomRemoval } from '../../../web/core/client.ts';
import {
  sharedRoomOf,
  startClient,
  startClients,
  type TestClient,
  until,
} from '../../support/engine-client.ts';
import { chainsAgree, cleanupsAfterEach, ikOf, texts } from './membership-support.ts';

const cleanups = cleanupsAfterEach();

const listed = (c: TestClient, roomId: string) =>
  c.conversations.value.some((s) => s.convId === roomId);

describe('a removed member no longer has the room', () => {
  it.each([
    ['kick', 'kicked'],
    ['ban', 'banned'],
  ] as const)(
    'after a %s the room leaves their list, they are told once, and a restart keeps it gone',
    async (action, reason) => {
      const { relay, users, clients } = await startClients(cleanups, 3);
      const [aliceUser, bobUser, carolUser] = users as [
        (typeof users)[0],
        (typeof users)[0],
        (typeof users)[0],
      ];
      const [alice, , carol] = clients as [TestClient, TestClient, TestClient];
      let bob = clients[1]!;
      const roomId = await sharedRoomOf(clients, 'moderated');
      await chainsAgree(clients, roomId, users, 'everyone joined by the chain');
      await alice.sendText(roomId, 'before the removal');
      await until(() => texts(bob, roomId).includes('before the removal'));
      const removals: RoomRemoval[] = [];
      bob.events.on('removed', (r) => removals.push(r));

      await alice[action](roomId, bobUser.account.userId);

      await until(() => !listed(bob, roomId), 15_000, 'the room leaves bob’s list');
      expect(bob.room(roomId)).toBeUndefined();
      expect(bob.conversation(roomId)).toBeUndefined();
      // Chain and relay both tell bob; he hears it once.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(removals).toEqual([
        { roomId, roomName: 'moderated', reason, by: aliceUser.account.userId },
      ]);
      // The others carry on without him.
      await chainsAgree([alice, carol], roomId, [aliceUser, carolUser], 'bob is out');
      expect(listed(alice, roomId) && listed(carol, roomId)).toBe(true);
      // What bob had is still on his device.
      const stored = await bob.history.page(roomId, { limit: 50 });
      expect(stored.map((m) => m.text)).toContain('before the removal');

      bob.close();
      bob = await startClient(relay, bobUser);
      cleanups.push(() => bob.close());
      expect(listed(bob, roomId)).toBe(false);
      expect(bob.room(roomId)).toBeUndefined();
      await alice.sendText(roomId, 'after the restart');
      await until(() => texts(carol, roomId).includes('after the restart'));
      expect(listed(bob, roomId)).toBe(false);
    },
    90_000,
  );

  it('a kick only the chain knows (the relay still routes them) closes the room, and keeps it closed after a restart', async () => {
    const { relay, users, clients } = await startClients(cleanups, 2);
    const [alice] = clients as [TestClient, TestClient];
    const [aliceUser, bobUser] = users as [(typeof users)[0], (typeof users)[0]];
    let bob = clients[1]!;
    const roomId = await sharedRoomOf(clients, 'chain-only');
    await chainsAgree(clients, roomId, users, 'both joined by the chain');
    const removals: RoomRemoval[] = [];
    bob.events.on('removed', (r) => removals.push(r));

    expect(alice.room(roomId)!.chain.append({ op: 'kick', subject: ikOf(bobUser) }).ok).toBe(true);
    await until(() => !listed(bob, roomId), 15_000, 'the chain closes the room');
    expect(removals).toEqual([
      { roomId, roomName: 'chain-only', reason: 'kicked', by: aliceUser.account.userId },
    ]);

    bob.close();
    bob = await startClient(relay, bobUser);
    cleanups.push(() => bob.close());
    // The relay still lists the room for bob; his stored chain says he is out.
    const relayRooms = await bob.relay.call({ t: 'room.list' }, 'room.list.ok');
    expect(relayRooms.rooms.map((r) => r.id)).toContain(roomId);
    expect(listed(bob, roomId)).toBe(false);
    expect(bob.room(roomId)).toBeUndefined();
  }, 90_000);

  it('a kick only the relay knows closes the room once the relay refuses to route them', async () => {
    const { users, clients } = await startClients(cleanups, 2);
    const [alice, bob] = clients as [TestClient, TestClient];
    const [aliceUser, bobUser] = users as [(typeof users)[0], (typeof users)[0]];
    const roomId = await sharedRoomOf(clients, 'relay-only');
    const removals: RoomRemoval[] = [];
    bob.events.on('removed', (r) => removals.push(r));

    await alice.relay.call({ t: 'room.kick', roomId, userId: bobUser.account.userId }, 'ok');
    await until(() => !listed(bob, roomId), 15_000, 'the relay’s refusal closes the room');
    expect(removals).toEqual([
      { roomId, roomName: 'relay-only', reason: 'kicked', by: aliceUser.account.userId },
    ]);
  }, 90_000);

  it('a removal notice the relay does not back (it still routes us) closes nothing', async () => {
    const { users, clients } = await startClients(cleanups, 2);
    const [alice, bob] = clients as [TestClient, TestClient];
    const [aliceUser, bobUser] = users as [(typeof users)[0], (typeof users)[0]];
    const roomId = await sharedRoomOf(clients, 'false-notice');
    const removals: RoomRemoval[] = [];
    bob.events.on('removed', (r) => removals.push(r));
    for (const change of ['kicked', 'banned', 'left'] as const) {
      bob.relay.events.emit('push', {
        t: 'room.member',
        roomId,
        userId: bobUser.account.userId,
        username: bobUser.username,
        role: 'member',
        change,
        by: aliceUser.account.userId,
      });
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(removals).toEqual([]);
    expect(listed(bob, roomId)).toBe(true);
    await alice.sendText(roomId, 'still here');
    await until(() => texts(bob, roomId).includes('still here'), 10_000, 'bob still reads');
  }, 90_000);
});
