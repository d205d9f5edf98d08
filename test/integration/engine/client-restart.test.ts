/**
 * A client that reloads (same account, same device, same stored history)
 * must still be heard in its rooms: its sender key after the restart is a
 * fresh epoch the others have not seen, never a second chain under an epoch
 * they already hold a receiver for.
 */
import { describe, expect, it } from 'vitest';
import {
  sharedRoomOf,
  startClient,
  startClients,
  type TestClient,
  until,
} from '../../support/engine-client.ts';
import { cleanupsAfterEach, linkedTo, texts } from './membership-support.ts';

const cleanups = cleanupsAfterEach();

const everyoneHas = (clients: TestClient[], roomId: string, text: string) =>
  clients.every((c) => texts(c, roomId).includes(text));

describe('a client restarts from its stored history', () => {
  it.each([
    ['data channels', true],
    ['the relay path', false],
  ])(
    'its room messages reach the others, and theirs reach it, after one restart and after two (%s)',
    async (_path, webrtc) => {
      const { relay, users, clients } = await startClients(cleanups, 3, {
        webrtc: [webrtc, webrtc, webrtc],
      });
      const roomId = await sharedRoomOf(clients, 'reloads');
      const [alice, bob] = clients as [TestClient, TestClient, TestClient];
      let carol = clients[2]!;
      await carol.sendText(roomId, 'before');
      await until(() => everyoneHas(clients, roomId, 'before'), 10_000, 'before delivered');
      const epochBefore = carol.room(roomId)!.session.epoch;

      for (const round of [1, 2]) {
        carol.close();
        carol = await startClient(relay, users[2]!, { webrtc });
        cleanups.push(() => carol.close());
        const all = [alice, bob, carol];
        await until(
          () => all.every((c) => linkedTo(c, roomId, 2)),
          20_000,
          `linked again (${round})`,
        );
        await carol.sendText(roomId, `from carol after restart ${round}`);
        await until(
          () => everyoneHas(all, roomId, `from carol after restart ${round}`),
          10_000,
          `carol heard (${round})`,
          () => all.map((c) => texts(c, roomId)),
        );
        await alice.sendText(roomId, `from alice after restart ${round}`);
        await bob.sendText(roomId, `from bob after restart ${round}`);
        await until(
          () =>
            everyoneHas(all, roomId, `from alice after restart ${round}`) &&
            everyoneHas(all, roomId, `from bob after restart ${round}`),
          10_000,
          `carol hears (${round})`,
          () => all.map((c) => texts(c, roomId)),
        );
        // Carol's message was acked by both others: it does not stay "sent".
        await until(
          () =>
            carol
              .conversation(roomId)!
              .messages.value.filter((m) => m.text === `from carol after restart ${round}`)
              .every((m) => m.local?.ackedBy.length === 2),
          10_000,
          `carol's message acked (${round})`,
        );
        // A fresh epoch, above any this device used before.
        expect(carol.room(roomId)!.session.epoch).toBeGreaterThan(epochBefore + round - 1);
      }
      // The restarted client knows who it is (the UI's safety numbers).
      const me = carol.me;
      expect(me).toEqual({
        userId: users[2]!.account.userId,
        username: users[2]!.username,
        deviceId: users[2]!.account.deviceId,
        ikPk: users[2]!.account.ikPk,
      });
      me.ikPk.fill(0);
      expect(carol.me.ikPk).toEqual(users[2]!.account.ikPk);
      // Nothing duplicated by the restarts.
      const seen = texts(alice, roomId);
      expect(new Set(seen).size).toBe(seen.length);
    },
    120_000,
  );
});
