import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { sharedRoomOf, startClients, type TestClient, until } from '../../support/engine-client.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

async function room3() {
  const { users, clients } = await startClients(cleanups, 3);
  const roomId = await sharedRoomOf(clients, 'chat');
  const [alice, bob, carol] = clients as [TestClient, TestClient, TestClient];
  return { users, alice, bob, carol, roomId };
}

describe('typing and read receipts, with their privacy switches', () => {
  it('typing shows for the others and clears when the message arrives', async () => {
    const { users, alice, bob, roomId } = await room3();
    const aliceIk = toB64(users[0]!.account.ikPk);
    alice.setTyping(roomId, true);
    await until(() => bob.conversation(roomId)!.typing.value.has(aliceIk), 5_000, 'typing shown');
    await alice.sendText(roomId, 'done typing');
    await until(
      () => !bob.conversation(roomId)!.typing.value.has(aliceIk),
      5_000,
      'typing cleared',
    );
  });

  it('with typing indicators off, nothing is sent', async () => {
    const { users, alice, bob, carol, roomId } = await room3();
    await bob.setPrivacy({ sendTypingIndicators: false });
    bob.setTyping(roomId, true);
    carol.setTyping(roomId, true);
    const carolIk = toB64(users[2]!.account.ikPk);
    await until(() => alice.conversation(roomId)!.typing.value.has(carolIk), 5_000, 'carol typing');
    expect(alice.conversation(roomId)!.typing.value.has(toB64(users[1]!.account.ikPk))).toBe(false);
  });

  it('a read receipt reaches the author; with receipts off only delivery shows', async () => {
    const { users, alice, bob, carol, roomId } = await room3();
    await carol.setPrivacy({ sendReadReceipts: false });
    const id = await alice.sendText(roomId, 'did you read this?');
    const seen = () => alice.conversation(roomId)!.messages.value.find((m) => m.id === id)!;
    await until(() => seen().local?.ackedBy.length === 2, 10_000, 'delivered to both');
    await bob.markRead(roomId);
    await carol.markRead(roomId);
    const bobDevice = users[1]!.account.deviceId;
    const carolDevice = users[2]!.account.deviceId;
    await until(() => seen().receipts[bobDevice] === 'read', 10_000, 'bob read');
    await new Promise((r) => setTimeout(r, 300));
    expect(seen().receipts[carolDevice]).toBeUndefined();
    expect(seen().local?.ackedBy).toContain(carolDevice);
  });
});
