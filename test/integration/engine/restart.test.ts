import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { sharedRoomOf, startClients, type TestClient, until } from '../../support/engine-client.ts';
import { startTestRelay } from '../relay/harness.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

describe('relay restart mid-conversation (whole engine)', () => {
  it('links keep delivering, clients reconnect, nothing is lost or duplicated', async () => {
    const { relay, clients } = await startClients(cleanups, 3);
    const roomId = await sharedRoomOf(clients, 'ops');
    const [alice, bob, carol] = clients as [TestClient, TestClient, TestClient];

    const texts = (i: number) =>
      clients[i]!.conversation(roomId)!.messages.value.map((m) => m.text);
    await alice.sendText(roomId, 'before');
    await until(() => texts(1).length === 1 && texts(2).length === 1);

    const pathsBefore = clients.map((c) =>
      c
        .room(roomId)!
        .mesh.peers()
        .map((p) => p.path)
        .join(','),
    );
    await relay.close();
    // The relay is gone; the direct links are not.
    await bob.sendText(roomId, 'during');
    await carol.sendText(roomId, 'during, too');
    const state = () =>
      clients.map((c, i) => ({
        pathsBefore: pathsBefore[i],
        texts: texts(i),
        peers: c
          .room(roomId)!
          .mesh.peers()
          .map((p) => `${p.username}:${p.path}:${p.verified}`),
        pending: c.room(roomId)!.conversation.messages.value.map((m) => m.local?.state ?? '-'),
      }));
    await until(
      () => [0, 1, 2].every((i) => texts(i).length === 3),
      10_000,
      'delivered without the relay',
      state,
    );

    const again = await startTestRelay({ port: relay.port, dataDir: relay.dataDir });
    cleanups.push(() => again.destroy());
    await until(() => clients.every((c) => c.connection.value === 'online'), 15_000, 'reconnected');
    await alice.sendText(roomId, 'after');
    await until(() => [0, 1, 2].every((i) => texts(i).length === 4), 10_000, 'delivered after');
    const expected = texts(0);
    expect(new Set(expected)).toEqual(new Set(['before', 'during', 'during, too', 'after']));
    expect(texts(1)).toEqual(expected);
    expect(texts(2)).toEqual(expected);
    // Every message was acked by both other devices: nothing left to resend.
    for (const c of clients) {
      await until(
        () =>
          c
            .room(roomId)!
            .conversation.messages.value.every((m) => !m.local || m.local.ackedBy.length === 2),
        5_000,
        'acked',
        () => ({
          mine: c
            .room(roomId)!
            .conversation.messages.value.filter((m) => m.local)
            .map((m) => ({ text: m.text, local: m.local })),
          outbox: c.room(roomId)!.conversation.convId,
          peers: c
            .room(roomId)!
            .mesh.peers()
            .map((p) => `${p.deviceId.slice(0, 4)}:${p.path}:${p.verified}`),
        }),
      );
    }
  }, 60_000);
});
