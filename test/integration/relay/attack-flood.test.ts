/**
 * Floods: frames far above the per-socket rate; sockets above the total,
 * per-address and per-identity limits; and floods that stay within the
 * per-socket frame rate but pick the requests that cost the relay most
 * (fresh challenges, big acks, join/leave churn, room fan-out). The flooder
 * is limited or dropped; everyone else keeps being served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { type FloodOptions, floodFromAnotherProcess } from './attack-processes.ts';
import { assertRelayServes, closeAll, RawClient } from './attack-support.ts';
import {
  connectDevice,
  newDeviceFor,
  relaySchemaErrors,
  roomWith,
  sleep,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

/** Round trip of one ping, in ms. */
async function pingMs(c: TestClient): Promise<number> {
  const started = performance.now();
  await c.expect('pong', { t: 'ping' });
  return performance.now() - started;
}

/**
 * A starved relay answers every ping late; a busy 2-core CI box makes single
 * pings late now and then. The median tells the two apart.
 */
const SANE_MEDIAN_MS = 400;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const describeLatencies = (ms: number[]) =>
  `ping round trips (ms) under the flood: ${ms.map(Math.round).join(', ')}`;

describe('frame floods', () => {
  it('a socket flooding far above the frame rate is RATE_LIMITED and closed 1008; a neighbour stays responsive', async () => {
    const relay = await startTestRelay({ frameRatePerSec: 50, frameBurst: 100 });
    const flooder = await connectDevice(relay);
    const neighbour = await connectDevice(relay);
    const frame = JSON.stringify({ t: 'ping' });
    const latencies: number[] = [];
    let sent = 0;
    while (flooder.client.isOpen && sent < 20_000) {
      for (let i = 0; i < 500; i++) flooder.client.sendRaw(frame);
      sent += 500;
      latencies.push(await pingMs(neighbour.client));
    }
    expect((await flooder.client.waitClosed()).code).toBe(1008);
    const errors = flooder.client.inbox
      .filter((m) => m.t === 'error')
      .map((m) => (m.t === 'error' ? m.code : ''));
    expect(errors).toContain('RATE_LIMITED');
    // Only about a burst's worth was served; the rest was dropped, not queued.
    const pongs = flooder.client.inbox.filter((m) => m.t === 'pong').length;
    expect(pongs).toBeLessThanOrEqual(100 + 50 * 2);
    expect(median(latencies), describeLatencies(latencies)).toBeLessThan(SANE_MEDIAN_MS);
    await closeAll(neighbour);
    await assertRelayServes(relay);
    await relay.destroy();
  });

  it('a binary envelope flood reaches the recipient only at the permitted rate', async () => {
    const relay = await startTestRelay({ frameRatePerSec: 50, frameBurst: 100 });
    const [flooder, victim] = [await connectDevice(relay), await connectDevice(relay)];
    await roomWith(victim, [flooder]);
    const frame = clientEnvelope({ device: victim.deviceId }, new Uint8Array(512));
    for (let i = 0; i < 5_000 && flooder.client.isOpen; i++) flooder.client.sendBinary(frame);
    await flooder.client.waitClosed();
    await victim.client.expect('pong', { t: 'ping' });
    expect(victim.client.binaryInbox.length).toBeGreaterThan(0);
    expect(victim.client.binaryInbox.length).toBeLessThanOrEqual(100 + 50 * 2);
    await closeAll(victim);
    await relay.destroy();
  });
});

describe('connection limits', () => {
  it('sockets per address are capped (429), other addresses are not, and closed slots are released', async () => {
    const relay = await startTestRelay({ maxConnectionsPerIp: 3, authDeadlineMs: 300 });
    const held = await Promise.all([0, 1, 2].map(() => RawClient.open(relay.wsUrl)));
    await expect(RawClient.open(relay.wsUrl)).rejects.toThrow('429');
    const elsewhere = await RawClient.open(relay.wsUrl, { localAddress: '127.0.0.2' });
    // Slots come back however a socket ends: client close, auth timeout, abuse, oversize.
    held[0]!.close();
    await sleep(50);
    const again = await RawClient.open(relay.wsUrl);
    const timedOut = await Promise.all([held[1]!.waitClosed(2_000), held[2]!.waitClosed(2_000)]);
    expect(timedOut.map((c) => c.code)).toEqual([1008, 1008]);
    const abusive = await RawClient.open(relay.wsUrl);
    for (let i = 0; i < 30 && abusive.isOpen; i++) abusive.ws.send('{');
    await abusive.waitClosed();
    const oversize = await RawClient.open(relay.wsUrl);
    oversize.sendBinary(new Uint8Array(relay.config.maxFrameBytes + 1));
    expect((await oversize.waitClosed()).code).toBe(1009);
    await sleep(50);
    const after = await Promise.all([0, 1].map(() => RawClient.open(relay.wsUrl)));
    again.close();
    elsewhere.close();
    for (const c of after) c.close();
    await relay.destroy();
  });

  it('sockets in total are capped (503) whatever the address', async () => {
    const relay = await startTestRelay({ maxConnections: 4, maxConnectionsPerIp: 4 });
    const held = [
      await RawClient.open(relay.wsUrl),
      await RawClient.open(relay.wsUrl),
      await RawClient.open(relay.wsUrl, { localAddress: '127.0.0.2' }),
      await RawClient.open(relay.wsUrl, { localAddress: '127.0.0.3' }),
    ];
    await expect(RawClient.open(relay.wsUrl, { localAddress: '127.0.0.4' })).rejects.toThrow('503');
    held[0]!.close();
    await sleep(50);
    const next = await RawClient.open(relay.wsUrl, { localAddress: '127.0.0.4' });
    for (const c of [...held, next]) c.close();
    await relay.destroy();
  });

  it('sockets per identity are capped across all of that user’s devices (4003)', async () => {
    const relay = await startTestRelay({ maxConnectionsPerIdentity: 2 });
    const first = await connectDevice(relay);
    const second = await connectDevice(relay, {
      keys: newDeviceFor(first.keys),
      mode: 'device.add',
    });
    const third = await TestClient.open(relay);
    await third.hello();
    expect(await third.expectError(third.deviceAddMessage(newDeviceFor(first.keys)))).toBe(
      'TOO_MANY_CONNECTIONS',
    );
    expect((await third.waitClosed()).code).toBe(4003);
    // The two that are in keep working; another user is not affected.
    await first.client.expect('pong', { t: 'ping' });
    await second.client.expect('pong', { t: 'ping' });
    const other = await connectDevice(relay);
    await closeAll(first, second, other);
    await relay.destroy();
  });
});

/** Ping round trips of a bystander while `flood` runs. */
async function latenciesDuring(bystander: TestClient, flood: FloodOptions, relay: TestRelay) {
  const attacker = await floodFromAnotherProcess(relay, flood);
  const latencies: number[] = [];
  const until = Date.now() + flood.durationMs - 500;
  try {
    while (Date.now() < until) {
      latencies.push(await pingMs(bystander));
      await sleep(100);
    }
  } finally {
    await attacker.stop();
  }
  return latencies;
}

describe('floods within the per-socket frame rate', () => {
  // Default limits: 2 000 frames/s per socket, 200 sockets per address. Each
  // flood below sends at most that frame rate from a few sockets: what a
  // limit on frames alone, blind to what each frame costs, would let through.
  it('login challenge requests from a few sockets do not starve other clients', async () => {
    const relay = await startTestRelay();
    const bystander = await connectDevice(relay);
    const frame = JSON.stringify({ t: 'challenge.new' });
    const ms = await latenciesDuring(
      bystander.client,
      { sockets: 4, perTick: 100, durationMs: 2_000, frames: [frame], login: false },
      relay,
    );
    expect(median(ms), describeLatencies(ms)).toBeLessThan(SANE_MEDIAN_MS);
    await closeAll(bystander);
    await relay.destroy();
  });

  it('mailbox acks of 1 000 ids each, from one logged-in socket, do not starve other clients', async () => {
    const relay = await startTestRelay();
    const bystander = await connectDevice(relay);
    const ids = Array.from({ length: 1_000 }, (_, i) => i);
    const frame = JSON.stringify({ t: 'mailbox.ack', ids });
    const ms = await latenciesDuring(
      bystander.client,
      { sockets: 1, perTick: 100, durationMs: 2_000, frames: [frame], login: true },
      relay,
    );
    expect(median(ms), describeLatencies(ms)).toBeLessThan(SANE_MEDIAN_MS);
    await closeAll(bystander);
    await relay.destroy();
  });

  it('joining and leaving a busy room over and over does not starve other clients', async () => {
    // Each join or leave is a database write plus a room.member and a
    // presence event to every online member: one frame in, ~2N frames out.
    // At half the per-socket frame rate.
    const relay = await startTestRelay();
    const bystander = await connectDevice(relay);
    const join = JSON.stringify({ t: 'room.join', roomId: '$ROOM' });
    const leave = JSON.stringify({ t: 'room.leave', roomId: '$ROOM' });
    const ms = await latenciesDuring(
      bystander.client,
      {
        sockets: 1,
        perTick: 50,
        durationMs: 2_000,
        frames: [join, leave],
        login: true,
        roomMembers: 10,
      },
      relay,
    );
    expect(median(ms), describeLatencies(ms)).toBeLessThan(SANE_MEDIAN_MS);
    await closeAll(bystander);
    await relay.destroy();
  });

  it('room envelopes fanned out to a crowded room do not starve other clients', async () => {
    // One frame in, one write per online member out: the fan-out is the
    // expensive part, not the frame.
    // The crowd comes from one address here; in life it would not.
    const relay = await startTestRelay({ authAttemptsPerMinPerIp: 1_000 });
    const bystander = await connectDevice(relay);
    const ms = await latenciesDuring(
      bystander.client,
      {
        sockets: 1,
        perTick: 100,
        durationMs: 2_000,
        frames: [],
        login: true,
        roomMembers: 100,
        roomEnvelopeBytes: 200,
      },
      relay,
    );
    expect(median(ms), describeLatencies(ms)).toBeLessThan(SANE_MEDIAN_MS);
    await closeAll(bystander);
    await relay.destroy();
  });

  it('a flood of challenge requests does not invalidate another socket’s pending login', async () => {
    // Outstanding challenges are bounded; if they share one pool, whoever
    // asks for the most evicts everyone else's before they can answer.
    const relay = await startTestRelay();
    const keys = (await connectDevice(relay)).keys;
    const victim = await TestClient.open(relay);
    await victim.hello();
    const signed = victim.loginMessage(keys);
    const frame = JSON.stringify({ t: 'challenge.new' });
    const attacker = await floodFromAnotherProcess(relay, {
      sockets: 30,
      perTick: 100,
      durationMs: 2_500,
      frames: [frame],
      login: false,
    });
    await attacker.finished;
    await attacker.stop();
    // Let the relay work through what is still queued.
    await victim.expect('pong', { t: 'ping' });
    const reply = await victim.request(signed);
    expect(reply.t === 'error' ? reply.code : reply.t).toBe('authed');
    await victim.close();
    await relay.destroy();
  });
});
