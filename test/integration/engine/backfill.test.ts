import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { frame, toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../../shared/events/event-schema.ts';
import { newEventId, signEvent } from '../../../shared/events/signed-event.ts';
import { encodeCert } from '../../../web/core/cert-cache.ts';
import { encodeLinkMessage } from '../../../web/core/link-messages.ts';
import { startClients, type TestClient, until } from '../../support/engine-client.ts';
import { testDevice } from '../../support/identities.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

type Client = TestClient;

async function setup() {
  const { relay, users, clients } = await startClients(cleanups, 3);
  return { relay, users, clients: clients as [Client, Client, Client] };
}

const texts = (c: Client, roomId: string) =>
  c.conversation(roomId)!.messages.value.map((m) => m.text);
const linkedTo = (c: Client, roomId: string, n: number) =>
  c
    .room(roomId)
    ?.mesh.peers()
    .filter((p) => p.verified).length === n;

describe('backfill', () => {
  it('a late joiner receives what was said before it joined, edits applied', async () => {
    const { clients } = await setup();
    const [alice, bob, carol] = clients;
    const { roomId } = await alice.createRoom('history', 'public');
    await bob.joinRoom(roomId);
    await until(() => linkedTo(alice, roomId, 1) && linkedTo(bob, roomId, 1), 15_000, 'two linked');
    const first = await alice.sendText(roomId, 'first');
    await bob.sendText(roomId, 'second');
    await alice.write(roomId, { type: 'edit', target: first, text: 'first, edited' });
    await until(() => texts(bob, roomId).includes('first, edited'), 15_000, 'bob saw the edit');

    await carol.joinRoom(roomId);
    await until(
      () => JSON.stringify(texts(carol, roomId)) === JSON.stringify(texts(alice, roomId)),
      15_000,
      'carol backfilled',
    );
    expect(texts(carol, roomId)).toEqual(['first, edited', 'second']);
  }, 60_000);

  it('a member relaying forged history gets only the genuine events accepted', async () => {
    const { clients, users } = await setup();
    const [alice, mallory, carol] = clients;
    const { roomId } = await alice.createRoom('forgery', 'public');
    await mallory.joinRoom(roomId);
    await carol.joinRoom(roomId);
    await until(() => [alice, mallory, carol].every((c) => linkedTo(c, roomId, 2)));

    const aliceDevice = users[0]!.device;
    const event = (text: string, by = aliceDevice): ChatEvent => ({
      v: 1,
      id: newEventId(),
      conv: roomId,
      authorIk: toB64(by.identity.publicKey),
      authorDevice: by.deviceId,
      lamport: 1,
      ts: Date.now(),
      body: { type: 'text', text },
    });
    const genuine = signEvent(event('genuine, by alice'), aliceDevice.dk.privateKey);
    const altered = signEvent(event('alice said yes'), aliceDevice.dk.privateKey);
    altered.bytes = new TextEncoder().encode(
      new TextDecoder().decode(altered.bytes).replace('yes', 'no!'),
    );
    const impersonated = signEvent(event('alice never wrote this'), users[1]!.device.dk.privateKey);
    const stranger = testDevice();
    const byNobody = signEvent(event('from nobody', stranger), stranger.dk.privateKey);
    const aliceCert = encodeCert(aliceDevice.cert);
    const batch = frame(
      genuine.bytes,
      genuine.sig,
      aliceCert,
      altered.bytes,
      altered.sig,
      aliceCert,
      impersonated.bytes,
      impersonated.sig,
      aliceCert,
      byNobody.bytes,
      byNobody.sig,
      encodeCert(stranger.cert),
    );
    const rejected: string[] = [];
    carol.room(roomId)!.backfill.events.on('rejected', (_from, code) => rejected.push(code));
    mallory
      .room(roomId)!
      .mesh.send(
        users[2]!.device.deviceId,
        encodeLinkMessage({ t: 'backfillBatch', items: batch, more: false }),
      );
    await until(() => rejected.length === 3, 10_000, 'all forgeries refused');
    expect(rejected.sort()).toEqual([
      'EVENT_BAD_SIGNATURE',
      'EVENT_BAD_SIGNATURE',
      'UNKNOWN_AUTHOR',
    ]);
    await until(() => texts(carol, roomId).length === 1);
    expect(texts(carol, roomId)).toEqual(['genuine, by alice']);
  }, 60_000);
});
