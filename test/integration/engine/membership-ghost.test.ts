import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import { LINK_MESSAGE_TYPE } from '../../../web/core/link-messages.ts';
import { registerUser, startClient, type TestClient, until } from '../../support/engine-client.ts';
import { startMaliciousRelay } from '../../support/malicious-relay.ts';
import {
  chainsAgree,
  forgeEntry,
  ikOf,
  linkedTo,
  pushEntries,
  texts,
} from './membership-support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

describe('a relay that adds a ghost member to a private room', () => {
  it('the ghost is linked and pinned, but gets no sender key, cannot read the canary, and no member shows it', async () => {
    const evil = await startMaliciousRelay();
    cleanups.push(() => evil.close());
    const target = { ...evil.relay, wsUrl: evil.wsUrl };
    const [aliceUser, bobUser, ghostUser] = [
      await registerUser(target),
      await registerUser(target),
      await registerUser(target),
    ];
    const start = async (u: typeof aliceUser) => {
      const c = await startClient(target, u);
      cleanups.push(() => c.close());
      return c;
    };
    const alice = await start(aliceUser);
    const bob = await start(bobUser);
    const ghost = await start(ghostUser);

    const { roomId, invite } = await alice.createRoom('secret plans', 'private');
    expect(invite).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    await bob.joinRoom(roomId, invite);
    // The relay admits the ghost on its own say-so: its half of the invite, no chain secret.
    const ghostKeyMessages: string[] = [];
    await ghost.joinRoom(roomId, invite!.split('.')[0]);
    ghost.room(roomId)!.mesh.events.on('message', (from, bytes) => {
      if (bytes[1] === LINK_MESSAGE_TYPE.senderKey) ghostKeyMessages.push(from.username);
    });
    await until(
      () => [alice, bob, ghost].every((c) => linkedTo(c, roomId, 2)),
      20_000,
      'everyone linked, the ghost included',
    );
    // Trust on first use pinned the ghost: the link itself is not the defence.
    expect(alice.trust.get(ghostUser.account.userId)?.ik).toBe(ikOf(ghostUser));
    await chainsAgree([alice, bob], roomId, [aliceUser, bobUser]);

    // A join the ghost signs without the invite secret is refused by every member.
    const refused: string[] = [];
    for (const c of [alice, bob])
      c.room(roomId)!.chain.events.on('refused', (code) => refused.push(code));
    const sentTo = pushEntries(ghost, roomId, [
      forgeEntry(alice, roomId, ghostUser, {
        op: 'join',
        inviteSecret: toB64(sodium().randombytes_buf(32)),
      }),
    ]);
    expect(sentTo).toHaveLength(2);
    await until(() => refused.length === 2, 10_000, 'forged join refused');
    expect(refused).toEqual(['CHAIN_FORBIDDEN', 'CHAIN_FORBIDDEN']);

    const canary = `CANARY-${toB64(sodium().randombytes_buf(12))}`;
    await alice.sendText(roomId, `for members: ${canary}`);
    await bob.sendText(roomId, `bob too: ${canary}`);
    await until(() => texts(bob, roomId).length === 2 && texts(alice, roomId).length === 2);
    await new Promise((r) => setTimeout(r, 500));

    expect(ghostKeyMessages).toEqual([]);
    expect(texts(ghost, roomId).join('\n')).not.toContain(canary);
    expect(alice.room(roomId)!.session.recipients()).toEqual([bobUser.account.deviceId]);
    for (const c of [alice, bob]) {
      const listed = c.room(roomId)!.members.value.map((m) => m.userId);
      expect(listed.sort()).toEqual([aliceUser.account.userId, bobUser.account.userId].sort());
      // The relay does list the ghost: presence is routing, not membership.
      expect(c.room(roomId)!.presence.isMember(ghostUser.account.userId)).toBe(true);
    }
    await chainsAgree([alice, bob], roomId, [aliceUser, bobUser]);
    expect(alice.room(roomId)!.members.value.find((m) => m.isMe)?.role).toBe('owner');
    expect(bob.room(roomId)!.members.value.find((m) => !m.isMe)?.role).toBe('owner');
    void (ghost as TestClient);
  }, 90_000);
});
