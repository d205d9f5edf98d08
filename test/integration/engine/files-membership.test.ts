/**
 * File messages (link types 80–95) count only from chain members: a device
 * the relay linked into a private room without a join may not fetch a
 * member's file, however it learnt the file's id.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { blobSource } from '../../../web/core/files/file-io.ts';
import { encodeFileMessage, FILE_MESSAGE_TYPE } from '../../../web/core/files/file-messages.ts';
import { registerUser, startClient, type TestClient, until } from '../../support/engine-client.ts';
import { startMaliciousRelay } from '../../support/malicious-relay.ts';
import { chainsAgree, linkedTo } from './membership-support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

/** File message types this client's links deliver, by sending device. */
function fileTraffic(c: TestClient, roomId: string): Array<number> {
  const seen: number[] = [];
  c.room(roomId)!.mesh.events.on('message', (_from, bytes) => {
    const type = bytes[1] ?? 0;
    if (type >= FILE_MESSAGE_TYPE.request && type <= 95) seen.push(type);
  });
  return seen;
}

describe('file requests from a linked non-member', () => {
  it('are refused: the member who offered the file sends the ghost nothing, and still serves members', async () => {
    const evil = await startMaliciousRelay();
    cleanups.push(() => evil.close());
    const target = { ...evil.relay, wsUrl: evil.wsUrl };
    const users = [
      await registerUser(target),
      await registerUser(target),
      await registerUser(target),
    ];
    const [alice, bob, ghost] = await Promise.all(
      users.map(async (u) => {
        const c = await startClient(target, u);
        cleanups.push(() => c.close());
        return c;
      }),
    );
    const [aliceUser, bobUser] = users;
    const { roomId, invite } = await alice!.createRoom('files', 'private');
    await bob!.joinRoom(roomId, invite);
    // The relay admits the ghost on its own say-so: no chain secret, no join entry.
    await ghost!.joinRoom(roomId, invite!.split('.')[0]);
    await until(
      () => [alice!, bob!, ghost!].every((c) => linkedTo(c, roomId, 2)),
      20_000,
      'everyone linked, the ghost included',
    );
    await chainsAgree([alice!, bob!], roomId, [aliceUser!, bobUser!]);

    const fileId = await alice!.shareFile(
      roomId,
      blobSource(new Blob([new Uint8Array(40_000).fill(7)]), 'plans.bin'),
    );
    const toGhost = fileTraffic(ghost!, roomId);
    const toBob = fileTraffic(bob!, roomId);
    const aliceDevice = aliceUser!.account.deviceId;
    const request = encodeFileMessage({ t: 'request', fileId, segment: 0 });
    // The ghost learnt the id somehow (the offer itself it cannot read) and asks.
    expect(ghost!.room(roomId)!.mesh.send(aliceDevice, request)).toBe(true);
    // A member asking the same way is answered: the refusal is about membership.
    expect(bob!.room(roomId)!.mesh.send(aliceDevice, request)).toBe(true);
    await until(() => toBob.includes(FILE_MESSAGE_TYPE.header), 10_000, 'bob served');
    await new Promise((r) => setTimeout(r, 500));
    expect(toGhost).toEqual([]);
    const ghostDevice = users[2]!.account.deviceId;
    expect(alice!.files.transfers.value.filter((t) => t.peerDevice === ghostDevice)).toEqual([]);
  }, 90_000);
});
