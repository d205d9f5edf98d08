import { afterEach, describe, expect, it } from 'vitest';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { ReceivedEnvelope } from '../../../shared/protocol/envelope.ts';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import {
  connectDevice,
  newDeviceFor,
  relaySchemaErrors,
  roomWith,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

const relays: TestRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.destroy()));
  expect(relaySchemaErrors()).toEqual([]);
});

async function relayWith(
  opts: Parameters<typeof startTestRelay>[0] = {},
  hooks: Parameters<typeof startTestRelay>[1] = {},
) {
  const r = await startTestRelay(opts, hooks);
  relays.push(r);
  return r;
}

function mailboxItem(e: ReceivedEnvelope) {
  if (e.kind !== 'mailbox') throw new Error(`expected a mailbox item, got ${e.kind}`);
  return e;
}

describe('mailbox', () => {
  it('ciphertext for an offline device is stored, delivered at login, and deleted on ack', async () => {
    const relay = await relayWith();
    const alice = await connectDevice(relay);
    const bob = await connectDevice(relay);
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await bob.client.close();

    const sealed = sodium().randombytes_buf(300);
    alice.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, sealed, { storeIfOffline: true }),
    );
    expect(await alice.client.next('envelope.stored')).toMatchObject({
      target: bob.deviceId,
      count: 1,
    });

    const back = await connectDevice(relay, { keys: bob.keys, mode: 'login' });
    expect(back.authed.mailbox).toBe(1);
    const item = mailboxItem(await back.client.nextBinary());
    expect(item).toMatchObject({
      fromDevice: alice.deviceId,
      fromUser: alice.userId,
      roomId: null,
    });
    expect(Buffer.from(item.payload).equals(Buffer.from(sealed))).toBe(true);
    expect(await back.client.next('mailbox.batch')).toMatchObject({ count: 1, remaining: 0 });

    // Not acked yet: a fetch sends it again.
    const again = await back.client.request({ t: 'mailbox.fetch' });
    expect(again).toMatchObject({ t: 'mailbox.batch', count: 1 });
    expect(mailboxItem(await back.client.nextBinary()).itemId).toBe(item.itemId);
    await back.client.expect('ok', { t: 'mailbox.ack', ids: [item.itemId] });
    expect(await back.client.request({ t: 'mailbox.fetch' })).toMatchObject({
      count: 0,
      remaining: 0,
    });
    await Promise.all([alice.client.close(), back.client.close()]);
  });

  it('a device cannot ack (delete) another device’s items', async () => {
    const relay = await relayWith();
    const alice = await connectDevice(relay);
    const bob = await connectDevice(relay);
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await bob.client.close();
    alice.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, new Uint8Array([7]), { storeIfOffline: true }),
    );
    await alice.client.next('envelope.stored');
    // Mailbox ids are small integers: Alice tries to ack ids 1..50 as her own.
    await alice.client.expect('ok', {
      t: 'mailbox.ack',
      ids: Array.from({ length: 50 }, (_, i) => i + 1),
    });
    const back = await connectDevice(relay, { keys: bob.keys, mode: 'login' });
    expect(back.authed.mailbox).toBe(1);
    await Promise.all([alice.client.close(), back.client.close()]);
  });

  it('room envelopes with the store flag reach each offline member device', async () => {
    const relay = await relayWith();
    const alice = await connectDevice(relay);
    const bob = await connectDevice(relay);
    const bobPhone = await connectDevice(relay, {
      keys: newDeviceFor(bob.keys),
      mode: 'device.add',
    });
    const { roomId } = await roomWith(alice, [bob]);
    await bobPhone.client.close();
    alice.client.sendBinary(
      clientEnvelope({ room: roomId }, new Uint8Array([1, 2, 3]), { storeIfOffline: true }),
    );
    // Bob's laptop is online (live copy); his phone is offline (mailbox copy).
    expect((await bob.client.nextBinary()).kind).toBe('room');
    expect(await alice.client.next('envelope.stored')).toMatchObject({ target: roomId, count: 1 });
    const phone = await connectDevice(relay, { keys: bobPhone.keys, mode: 'login' });
    const item = mailboxItem(await phone.client.nextBinary());
    expect(item.roomId).toBe(roomId);
    await Promise.all([alice.client.close(), bob.client.close(), phone.client.close()]);
  });

  it('the mailbox survives a relay restart', async () => {
    const first = await startTestRelay();
    const alice = await connectDevice(first);
    const bob = await connectDevice(first);
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await bob.client.close();
    const payload = sodium().randombytes_buf(2048);
    alice.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, payload, { storeIfOffline: true }),
    );
    await alice.client.next('envelope.stored');
    await first.close();

    const second = await relayWith({ dataDir: first.dataDir });
    const back = await connectDevice(second, { keys: bob.keys, mode: 'login' });
    expect(back.authed.mailbox).toBe(1);
    const item = mailboxItem(await back.client.nextBinary());
    expect(Buffer.from(item.payload).equals(Buffer.from(payload))).toBe(true);
    await back.client.close();
  });

  it('items expire after the TTL and are swept', async () => {
    let offsetMs = 0;
    const relay = await relayWith({ mailboxTtlDays: 14 }, { now: () => Date.now() + offsetMs });
    const alice = await connectDevice(relay);
    const bob = await connectDevice(relay);
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await bob.client.close();
    alice.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, new Uint8Array(10), { storeIfOffline: true }),
    );
    await alice.client.next('envelope.stored');
    offsetMs = 13 * 86_400_000;
    const c = await TestClient.open(relay);
    await c.hello();
    expect((await c.login(bob.keys)).mailbox).toBe(1);
    await c.close();
    offsetMs = 14 * 86_400_000 + 1000;
    const d = await TestClient.open(relay);
    await d.hello();
    expect((await d.login(bob.keys)).mailbox).toBe(0);
    const { sweepMailbox } = await import('../../../signal/mailbox.ts');
    expect(sweepMailbox(relay.ctx)).toBe(1);
    await Promise.all([alice.client.close(), d.close()]);
  });

  it('a per-user quota refuses more with MAILBOX_FULL', async () => {
    const relay = await relayWith({ mailboxQuotaItems: 3, mailboxQuotaBytes: 1_000_000 });
    const alice = await connectDevice(relay);
    const bob = await connectDevice(relay);
    await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    await bob.client.close();
    const results: string[] = [];
    for (let i = 0; i < 4; i++) {
      alice.client.sendBinary(
        clientEnvelope({ device: bob.deviceId }, new Uint8Array(100), { storeIfOffline: true }),
      );
      const m = await alice.client.waitFor(
        (x) => x.t === 'envelope.stored' || x.t === 'envelope.error',
      );
      results.push(m.t === 'envelope.error' ? m.code : m.t);
    }
    expect(results).toEqual([
      'envelope.stored',
      'envelope.stored',
      'envelope.stored',
      'MAILBOX_FULL',
    ]);
    await alice.client.close();
  });

  it('a stranger cannot fill someone’s mailbox', async () => {
    const relay = await relayWith();
    const bob = await connectDevice(relay);
    await bob.client.close();
    const eve = await connectDevice(relay);
    eve.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, new Uint8Array(10), { storeIfOffline: true }),
    );
    expect(await eve.client.next('envelope.error')).toMatchObject({ code: 'FORBIDDEN' });
    await eve.client.close();
  });
});
