import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { clientEnvelope, EnvelopeKind, encodeEnvelope } from '../../../shared/protocol/envelope.ts';
import {
  type ConnectedDevice,
  connectDevice,
  newDeviceFor,
  relaySchemaErrors,
  roomWith,
  sleep,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
const open: ConnectedDevice[] = [];
beforeAll(async () => {
  relay = await startTestRelay();
});
afterAll(async () => {
  await relay.destroy();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.client.close()));
  expect(relaySchemaErrors()).toEqual([]);
});

async function user(r: TestRelay = relay): Promise<ConnectedDevice> {
  const d = await connectDevice(r);
  open.push(d);
  return d;
}

describe('relay envelopes', () => {
  it('an envelope to a device arrives with the payload untouched and the proven sender', async () => {
    const [alice, bob] = [await user(), await user()];
    await roomWith(alice, [bob]);
    const payload = sodium().randombytes_buf(1000);
    alice.client.sendBinary(clientEnvelope({ device: bob.deviceId }, payload));
    const got = await bob.client.nextBinary();
    expect(got).toMatchObject({
      kind: 'direct',
      fromDevice: alice.deviceId,
      fromUser: alice.userId,
    });
    expect(Buffer.from(got.payload).equals(Buffer.from(payload))).toBe(true);
  });

  it('a room envelope fans out to every online member device except the sender', async () => {
    const [alice, bob, carol] = [await user(), await user(), await user()];
    const bobPhone = await connectDevice(relay, {
      keys: newDeviceFor(bob.keys),
      mode: 'device.add',
    });
    open.push(bobPhone);
    const { roomId } = await roomWith(alice, [bob, carol]);
    const payload = new TextEncoder().encode('ciphertext');
    alice.client.sendBinary(clientEnvelope({ room: roomId }, payload));
    for (const d of [bob, bobPhone, carol]) {
      const got = await d.client.nextBinary();
      expect(got).toMatchObject({ kind: 'room', roomId, fromDevice: alice.deviceId });
      expect(new TextDecoder().decode(got.payload)).toBe('ciphertext');
    }
    await sleep(50);
    expect(alice.client.binaryInbox).toEqual([]);
  });

  it('envelopes to a non-member room or an unrelated device are FORBIDDEN and not delivered', async () => {
    const [alice, bob, eve] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(alice, [bob]);
    eve.client.sendBinary(clientEnvelope({ room: roomId }, new Uint8Array([1])));
    expect(await eve.client.next('envelope.error')).toMatchObject({
      target: roomId,
      code: 'FORBIDDEN',
    });
    eve.client.sendBinary(clientEnvelope({ device: bob.deviceId }, new Uint8Array([2])));
    expect(await eve.client.next('envelope.error')).toMatchObject({
      target: bob.deviceId,
      code: 'FORBIDDEN',
    });
    await sleep(50);
    expect(bob.client.binaryInbox).toEqual([]);
    expect(alice.client.binaryInbox).toEqual([]);
  });

  it('a client cannot send relay-to-client envelope kinds (no forged sender header)', async () => {
    const [alice, bob] = [await user(), await user()];
    await roomWith(alice, [bob]);
    const forged = encodeEnvelope(
      { kind: EnvelopeKind.fromDevice, flags: 0, ids: [bob.deviceId, bob.userId] },
      new Uint8Array([9]),
    );
    expect(
      await (async () => {
        alice.client.sendBinary(forged);
        return (await alice.client.next('error')).code;
      })(),
    ).toBe('BAD_FRAME');
  });

  it('an offline device without the store flag gets NOT_ONLINE', async () => {
    const [alice, bob] = [await user(), await user()];
    await roomWith(alice, [bob]);
    await bob.client.close();
    alice.client.sendBinary(clientEnvelope({ device: bob.deviceId }, new Uint8Array([1])));
    expect(await alice.client.next('envelope.error')).toMatchObject({ code: 'NOT_ONLINE' });
  });

  it('a reader that never reads gets RECIPIENT_SLOW and relay memory stays bounded', async () => {
    const bounded = await startTestRelay({
      maxBufferedBytes: 256 * 1024,
      frameRatePerSec: 100_000,
      frameBurst: 100_000,
    });
    const [alice, bob] = [await user(bounded), await user(bounded)];
    await roomWith(alice, [bob]);
    // Stop reading on Bob's side: the kernel buffers fill, then the relay's.
    (bob.client.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const chunk = sodium().randombytes_buf(64 * 1024);
    const frame = clientEnvelope({ device: bob.deviceId }, chunk);
    const totalMiB = 16;
    for (let i = 0; i < totalMiB * 16; i++) {
      alice.client.sendBinary(frame);
      if (i % 32 === 0) await sleep(1);
    }
    const slow = await alice.client.waitFor(
      (m) => m.t === 'envelope.error' && m.code === 'RECIPIENT_SLOW',
      10_000,
    );
    expect(slow).toMatchObject({ target: bob.deviceId });
    // The relay holds at most the bound (+ one frame) for Bob, not 16 MiB:
    // everything past it was dropped for Bob and reported to Alice.
    const bobConn = bounded.ctx.presence.devices.get(bob.deviceId);
    expect(bobConn?.bufferedBytes ?? 0).toBeLessThan(256 * 1024 + 70 * 1024);
    // Alice (and the relay) are still fine.
    await alice.client.expect('pong', { t: 'ping' });
    bob.client.ws.terminate();
    await bounded.destroy();
  });
});
