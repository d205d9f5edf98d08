/**
 * The mailbox under attack and accident: items survive a relay restart, are
 * delivered at login to their device only, are deleted by their owner's ack
 * only, respect the quota, and are not delivered after they expire.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/crypto/encoding.ts';
import { clientEnvelope, type ReceivedEnvelope } from '../../../shared/protocol/envelope.ts';
import { closeAll } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  type DeviceKeys,
  relaySchemaErrors,
  roomWith,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

const DAY_MS = 86_400_000;

afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

/** Logs `keys` in and collects what the relay hands over at login. */
async function loginAndCollect(
  relay: TestRelay,
  keys: DeviceKeys,
): Promise<{ device: ConnectedDevice; items: ReceivedEnvelope[] }> {
  const device = await connectDevice(relay, { keys, mode: 'login' });
  const items: ReceivedEnvelope[] = [];
  for (let i = 0; i < device.authed.mailbox; i++) items.push(await device.client.nextBinary());
  if (device.authed.mailbox > 0) await device.client.next('mailbox.batch');
  return { device, items };
}

async function offlineMember(relay: TestRelay, owner: ConnectedDevice) {
  const member = await connectDevice(relay);
  const { roomId } = await roomWith(owner, [member]);
  await member.client.close();
  return { keys: member.keys, deviceId: member.deviceId, userId: member.userId, roomId };
}

describe('mailbox', () => {
  it('mail for an offline device survives a restart, is delivered at login, and is gone once acked', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-attack-mail-'));
    let relay = await startTestRelay({ dataDir });
    const sender = await connectDevice(relay);
    const bob = await offlineMember(relay, sender);
    sender.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, utf8('direct'), { storeIfOffline: true }),
    );
    expect(await sender.client.next('envelope.stored')).toMatchObject({
      target: bob.deviceId,
      count: 1,
    });
    sender.client.sendBinary(
      clientEnvelope({ room: bob.roomId }, utf8('room'), { storeIfOffline: true }),
    );
    expect(await sender.client.next('envelope.stored')).toMatchObject({
      target: bob.roomId,
      count: 1,
    });
    await sender.client.close();
    await relay.close();

    relay = await startTestRelay({ dataDir });
    const first = await loginAndCollect(relay, bob.keys);
    expect(first.device.authed.mailbox).toBe(2);
    const got = first.items.map((e) => {
      if (e.kind !== 'mailbox') throw new Error(`expected a mailbox item, got ${e.kind}`);
      return e;
    });
    expect(got.map((e) => new TextDecoder().decode(e.payload))).toEqual(['direct', 'room']);
    for (const e of got)
      expect(e).toMatchObject({ fromDevice: sender.deviceId, fromUser: sender.userId });
    expect(got.map((e) => e.roomId)).toEqual([null, bob.roomId]);
    await first.device.client.expect('ok', { t: 'mailbox.ack', ids: got.map((e) => e.itemId) });
    await first.device.client.close();

    const second = await loginAndCollect(relay, bob.keys);
    expect(second.device.authed.mailbox).toBe(0);
    const batch = await second.device.client.expect('mailbox.batch', { t: 'mailbox.fetch' });
    expect(batch).toMatchObject({ count: 0, remaining: 0 });
    expect(second.device.client.binaryInbox).toEqual([]);
    await second.device.client.close();
    await relay.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('unacknowledged mail is delivered again (only the ack deletes it)', async () => {
    const relay = await startTestRelay();
    const sender = await connectDevice(relay);
    const bob = await offlineMember(relay, sender);
    sender.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, utf8('again'), { storeIfOffline: true }),
    );
    await sender.client.next('envelope.stored');
    const first = await loginAndCollect(relay, bob.keys);
    await first.device.client.close();
    const second = await loginAndCollect(relay, bob.keys);
    expect(second.items).toHaveLength(1);
    await closeAll(sender, second.device);
    await relay.destroy();
  });

  it('mail is delivered to its device only, and nobody else can ack it away', async () => {
    const relay = await startTestRelay();
    const sender = await connectDevice(relay);
    const bob = await offlineMember(relay, sender);
    sender.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, utf8('for bob'), { storeIfOffline: true }),
    );
    await sender.client.next('envelope.stored');
    // Mallory (another user, also a member) and the sender log in: nothing for them.
    const mallory = await connectDevice(relay);
    await mallory.client.expect('room.joined', { t: 'room.join', roomId: bob.roomId });
    expect(mallory.authed.mailbox).toBe(0);
    const fetched = await mallory.client.expect('mailbox.batch', { t: 'mailbox.fetch' });
    expect(fetched.count).toBe(0);
    // She guesses item ids and acks them.
    await mallory.client.expect('ok', {
      t: 'mailbox.ack',
      ids: Array.from({ length: 1_000 }, (_, i) => i),
    });
    await sender.client.expect('ok', { t: 'mailbox.ack', ids: [1, 2, 3, 4, 5] });
    expect(mallory.client.binaryInbox).toEqual([]);
    const got = await loginAndCollect(relay, bob.keys);
    expect(got.items).toHaveLength(1);
    expect(new TextDecoder().decode(got.items[0]!.payload)).toBe('for bob');
    await closeAll(sender, mallory, got.device);
    await relay.destroy();
  });

  it('past the item or byte quota the sender gets MAILBOX_FULL and nothing more is stored', async () => {
    const relay = await startTestRelay({ mailboxQuotaItems: 3, mailboxQuotaBytes: 1_000 });
    const sender = await connectDevice(relay);
    const bob = await offlineMember(relay, sender);
    const store = (bytes: number) =>
      sender.client.sendBinary(
        clientEnvelope({ device: bob.deviceId }, new Uint8Array(bytes), { storeIfOffline: true }),
      );
    store(1_001);
    expect(await sender.client.next('envelope.error')).toMatchObject({ code: 'MAILBOX_FULL' });
    for (let i = 0; i < 3; i++) {
      store(10);
      await sender.client.next('envelope.stored');
    }
    store(10);
    expect(await sender.client.next('envelope.error')).toMatchObject({
      target: bob.deviceId,
      code: 'MAILBOX_FULL',
    });
    // A room send that would overflow stores nothing for anyone.
    sender.client.sendBinary(
      clientEnvelope({ room: bob.roomId }, new Uint8Array(10), { storeIfOffline: true }),
    );
    expect(await sender.client.next('envelope.error')).toMatchObject({ code: 'MAILBOX_FULL' });
    const got = await loginAndCollect(relay, bob.keys);
    expect(got.items).toHaveLength(3);
    await closeAll(sender, got.device);
    await relay.destroy();
  });

  it('expired mail is not delivered', async () => {
    let offsetMs = 0;
    const relay = await startTestRelay({ mailboxTtlDays: 1 }, { now: () => Date.now() + offsetMs });
    const sender = await connectDevice(relay);
    const bob = await offlineMember(relay, sender);
    sender.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, utf8('stale'), { storeIfOffline: true }),
    );
    await sender.client.next('envelope.stored');
    offsetMs = DAY_MS + 1_000;
    const got = await loginAndCollect(relay, bob.keys);
    expect(got.device.authed.mailbox).toBe(0);
    const fetched = await got.device.client.expect('mailbox.batch', { t: 'mailbox.fetch' });
    expect(fetched).toMatchObject({ count: 0, remaining: 0 });
    expect(got.device.client.binaryInbox).toEqual([]);
    await closeAll(sender, got.device);
    await relay.destroy();
  });
});
