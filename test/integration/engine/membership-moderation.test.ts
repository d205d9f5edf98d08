import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { encodeRelayPayload } from '../../../web/core/relay-payload.ts';
import { encodeEntries } from '../../../web/core/room-chain-codec.ts';
import { sharedRoomOf, startClients, type TestClient, until } from '../../support/engine-client.ts';
import { chainsAgree, forgeEntry, ikOf, pushEntries, texts } from './membership-support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

async function room(n: number) {
  const { users, clients } = await startClients(cleanups, n);
  const roomId = await sharedRoomOf(clients, 'moderated');
  await chainsAgree(clients, roomId, users, 'everyone joined by the chain');
  return { users, clients, roomId };
}

describe('moderation by the signed membership chain', () => {
  it('a kick signed by a plain member is refused by every peer, over links and by relay mail', async () => {
    const { users, clients, roomId } = await room(3);
    const [alice, bob, mallory] = clients as [TestClient, TestClient, TestClient];
    const [, bobUser, malloryUser] = users;
    const refused: string[] = [];
    for (const c of [alice, bob])
      c.room(roomId)!.chain.events.on('refused', (code) => refused.push(code));
    const epochs = [alice, bob].map((c) => c.room(roomId)!.session.epoch);

    const forged = forgeEntry(mallory, roomId, malloryUser!, {
      op: 'kick',
      subject: ikOf(bobUser!),
    });
    expect(pushEntries(mallory, roomId, [forged])).toHaveLength(2);
    mallory.relay.sendBinary(
      clientEnvelope(
        { room: roomId },
        encodeRelayPayload({ kind: 'membership', roomId, entries: encodeEntries([forged]) }),
        { storeIfOffline: true },
      ),
    );
    await until(() => refused.length === 4, 10_000, 'forged kick refused four times');
    expect(new Set(refused)).toEqual(new Set(['CHAIN_FORBIDDEN']));
    await chainsAgree(clients, roomId, users);
    expect([alice, bob].map((c) => c.room(roomId)!.session.epoch)).toEqual(epochs);

    await alice.sendText(roomId, 'bob is still here');
    await until(() => texts(bob, roomId).includes('bob is still here'), 10_000, 'bob still reads');
  }, 90_000);

  it("a kicked member's later messages are refused and it cannot read what follows", async () => {
    const { users, clients, roomId } = await room(3);
    const [alice, bob, mallory] = clients as [TestClient, TestClient, TestClient];
    const [aliceUser, bobUser] = users;
    await alice.sendText(roomId, 'before the kick');
    await until(() => [bob, mallory].every((c) => texts(c, roomId).includes('before the kick')));

    // Mallory's client ignores the kick (a modified client), and the relay
    // keeps routing her: only the chain stands between her and the room.
    const mallorySync = mallory.room(roomId)!.chainSync;
    Object.assign(mallorySync, { receiveMail: () => 'known' });
    const malloryChain = mallory.room(roomId)!.chain;
    Object.assign(malloryChain, { offer: () => 'not-preferred' });
    const rejectedByBob: string[] = [];
    bob.room(roomId)!.session.events.on('rejected', (_m, code) => rejectedByBob.push(code));

    const kicked = alice.room(roomId)!.chain.append({ op: 'kick', subject: ikOf(users[2]!) });
    expect(kicked.ok).toBe(true);
    await chainsAgree([alice, bob], roomId, [aliceUser!, bobUser!]);
    await until(
      () => bob.room(roomId)!.session.epoch >= 1 && alice.room(roomId)!.session.epoch >= 1,
    );
    expect(mallory.room(roomId)!.chain.isMember(ikOf(users[2]!))).toBe(true);

    await mallory.sendText(roomId, 'mallory after the kick');
    await alice.sendText(roomId, 'alice after the kick');
    await until(() => texts(bob, roomId).includes('alice after the kick'));
    await until(() => rejectedByBob.includes('NOT_MEMBER'), 10_000, 'bob refused mallory');
    await new Promise((r) => setTimeout(r, 500));
    expect(texts(bob, roomId)).not.toContain('mallory after the kick');
    expect(texts(alice, roomId)).not.toContain('mallory after the kick');
    expect(texts(mallory, roomId)).not.toContain('alice after the kick');
    expect(alice.room(roomId)!.session.recipients()).toEqual([bobUser!.account.deviceId]);
  }, 90_000);

  it('leave and ban through the client are chain entries every member applies, each a new epoch', async () => {
    const { users, clients, roomId } = await room(4);
    const [alice, bob, carol, dave] = clients as [TestClient, TestClient, TestClient, TestClient];
    const [aliceUser, bobUser, , daveUser] = users;
    const epochBefore = alice.room(roomId)!.session.epoch;
    await carol.leaveRoom(roomId);
    await chainsAgree([alice, bob, dave], roomId, [aliceUser!, bobUser!, daveUser!], 'carol left');
    await until(() => alice.room(roomId)!.session.epoch > epochBefore, 10_000, 'rotated on leave');
    const afterLeave = alice.room(roomId)!.session.epoch;
    await alice.ban(roomId, daveUser!.account.userId);
    await chainsAgree([alice, bob], roomId, [aliceUser!, bobUser!], 'dave banned');
    expect(alice.room(roomId)!.membership.value?.banned.has(ikOf(daveUser!))).toBe(true);
    await until(() => alice.room(roomId)!.session.epoch > afterLeave, 10_000, 'rotated on ban');
    // A banned member cannot come back: the relay refuses, and the chain would too.
    await expect(dave.joinRoom(roomId)).rejects.toMatchObject({ code: 'BANNED' });
    // The owner cannot leave: the relay's code, and the chain unchanged.
    await expect(alice.leaveRoom(roomId)).rejects.toMatchObject({ code: 'OWNER_CANNOT_LEAVE' });
    await alice.sendText(roomId, 'just us now');
    await until(() => texts(bob, roomId).includes('just us now'));
    expect(texts(dave, roomId)).not.toContain('just us now');
  }, 90_000);

  it("an admin's delete of another's message is hidden by every peer; a member's is ignored", async () => {
    const { users, clients, roomId } = await room(3);
    const [alice, bob, carol] = clients as [TestClient, TestClient, TestClient];
    const [, bobUser] = users;
    await alice.setRole(roomId, bobUser!.account.userId, 'admin');
    await until(
      () => clients.every((c) => c.room(roomId)!.roles.value.get(ikOf(bobUser!)) === 'admin'),
      10_000,
      'bob is admin everywhere',
    );
    expect(
      carol.room(roomId)!.members.value.find((m) => m.userId === bobUser!.account.userId)?.role,
    ).toBe('admin');

    const carolsWords = await carol.sendText(roomId, 'carol says something rude');
    const alicesWords = await alice.sendText(roomId, 'alice says something fine');
    await until(() => clients.every((c) => texts(c, roomId).length === 2));

    await carol.deleteMessage(roomId, alicesWords);
    await bob.deleteMessage(roomId, carolsWords);
    const view = (c: TestClient, id: string) =>
      c.conversation(roomId)!.messages.value.find((m) => m.id === id);
    await until(
      () => clients.every((c) => view(c, carolsWords)?.deleted?.byIk === ikOf(bobUser!)),
      10_000,
      'the admin delete shows everywhere',
    );
    await new Promise((r) => setTimeout(r, 500));
    for (const c of clients) {
      expect(view(c, carolsWords)?.text).toBe('');
      expect(view(c, alicesWords)).toMatchObject({
        deleted: null,
        text: 'alice says something fine',
      });
    }
  }, 90_000);
});
