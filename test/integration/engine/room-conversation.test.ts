import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { MessageView } from '../../../web/core/history/message-view.ts';
import { registerUser, startClient, until } from '../../support/engine-client.ts';
import { startTestRelay } from '../relay/harness.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

/** What a person sees of a message: enough to compare screens. */
const shown = (m: MessageView) => ({
  id: m.id,
  text: m.text,
  edited: m.edited,
  deleted: m.deleted !== null,
  reactions: m.reactions.map((r) => `${r.emoji}×${r.reactorIks.length}`),
});

describe('three people in a room (whole engine)', () => {
  it('talk both ways, edit, delete and react, and all see one order', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const users = [
      await registerUser(relay, 'alice_r'),
      await registerUser(relay, 'bob_r'),
      await registerUser(relay, 'carol_r'),
    ];
    const clients: Awaited<ReturnType<typeof startClient>>[] = [];
    for (const u of users) {
      const c = await startClient(relay, u);
      cleanups.push(() => c.close());
      clients.push(c);
    }
    const [alice, bob, carol] = clients as [
      (typeof clients)[0],
      (typeof clients)[0],
      (typeof clients)[0],
    ];
    const { roomId } = await alice.createRoom('general', 'public');
    await bob.joinRoom(roomId);
    await carol.joinRoom(roomId);
    await until(
      () =>
        clients.every(
          (c) =>
            c
              .room(roomId)
              ?.mesh.peers()
              .filter((p) => p.verified).length === 2,
        ),
      20_000,
      'mesh linked',
    );

    const one = await alice.sendText(roomId, 'one **bold**');
    const [two, three] = await Promise.all([
      bob.sendText(roomId, 'two', one),
      carol.sendText(roomId, 'three'),
    ]);
    await alice.write(roomId, { type: 'edit', target: one, text: 'one, edited' });
    await bob.write(roomId, { type: 'reaction', target: three, emoji: '👍', on: true });
    await alice.write(roomId, { type: 'reaction', target: three, emoji: '👍', on: true });
    await carol.write(roomId, { type: 'delete', target: two });

    const screens = () => clients.map((c) => c.conversation(roomId)!.messages.value.map(shown));
    await until(
      () =>
        screens().every(
          (s) =>
            s.length === 3 &&
            s.find((m) => m.id === one)?.edited === true &&
            s.find((m) => m.id === three)?.reactions[0] === '👍×2',
        ),
      15_000,
      'everyone converged',
    );
    const [a, b, c] = screens();
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(a!.find((m) => m.id === one)).toMatchObject({ text: 'one, edited', edited: true });
    // Carol is not Bob: her delete of Bob's message is ignored (she is no moderator).
    expect(a!.find((m) => m.id === two)).toMatchObject({ text: 'two', deleted: false });
    // And the reply points where Bob pointed.
    expect(bob.conversation(roomId)!.messages.value.find((m) => m.id === two)?.replyTo).toBe(one);
  }, 60_000);

  it('the members view shows roles, presence, how each device is reached and trust', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const users = [await registerUser(relay, 'ann_m'), await registerUser(relay, 'ben_m')];
    const ann = await startClient(relay, users[0]!);
    const ben = await startClient(relay, users[1]!);
    cleanups.push(() => ann.close());
    cleanups.push(() => ben.close());
    const { roomId } = await ann.createRoom('team', 'public');
    await ben.joinRoom(roomId);
    const view = () => ann.room(roomId)!.members.value;
    await until(
      () => view().find((m) => m.username === 'ben_m')?.devices[0]?.verified === true,
      15_000,
      'ben linked',
    );
    expect(view()).toEqual([
      {
        userId: users[0]!.account.userId,
        username: 'ann_m',
        role: 'owner',
        online: true,
        devices: [],
        trust: 'unknown',
        isMe: true,
      },
      {
        userId: users[1]!.account.userId,
        username: 'ben_m',
        role: 'member',
        online: true,
        devices: [{ deviceId: users[1]!.account.deviceId, path: 'direct', verified: true }],
        trust: 'pinned',
        isMe: false,
      },
    ]);
    ben.close();
    await until(
      () => view().find((m) => m.username === 'ben_m')?.online === false,
      15_000,
      'ben offline',
    );
  }, 60_000);
});
