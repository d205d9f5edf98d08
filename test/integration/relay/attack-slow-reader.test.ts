/**
 * A member that never reads (its TCP socket paused) while another member
 * fans out megabytes to the room. The relay must not buffer the fan-out for
 * it: memory stays bounded, frames for it are dropped with RECIPIENT_SLOW,
 * fast members get everything, and a socket that stops reading altogether is
 * dropped.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { startRelayProcess } from './attack-processes.ts';
import { closeAll, pauseReading } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  roomWith,
  sleep,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

const BOUND = 256 * 1024;
const CHUNK = 128 * 1024;

beforeAll(async () => {
  await loadSodium();
});
afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

/** Relay-side bytes queued for a device's socket (the relay's own queue metric). */
function queuedFor(relay: TestRelay, d: ConnectedDevice): number {
  return relay.ctx.presence.devices.get(d.deviceId)?.bufferedBytes ?? 0;
}

describe('a recipient that never reads', () => {
  it('relay memory stays bounded, the slow member’s frames are dropped with RECIPIENT_SLOW, fast members get all', async () => {
    const relay = await startTestRelay({
      maxBufferedBytes: BOUND,
      frameRatePerSec: 100_000,
      frameBurst: 100_000,
    });
    const [sender, slow, fast] = [
      await connectDevice(relay),
      await connectDevice(relay),
      await connectDevice(relay),
    ];
    const { roomId } = await roomWith(sender, [slow, fast]);
    pauseReading(slow.client.ws);
    const frame = clientEnvelope({ room: roomId }, sodium().randombytes_buf(CHUNK));
    const totalFrames = 256; // 32 MiB of fan-out
    let received = 0;
    let maxQueued = 0;
    for (let i = 0; i < totalFrames; i++) {
      sender.client.sendBinary(frame);
      if (i % 8 === 7) {
        // Let the relay forward and the fast member drain (dropping what it got).
        while (received < i - 16) {
          await fast.client.nextBinary();
          received++;
        }
        maxQueued = Math.max(maxQueued, queuedFor(relay, slow));
      }
    }
    while (received < totalFrames) {
      await fast.client.nextBinary(10_000);
      received++;
    }
    expect(received).toBe(totalFrames);
    const slowErrors = sender.client.inbox.filter(
      (m) => m.t === 'envelope.error' && m.code === 'RECIPIENT_SLOW' && m.target === slow.deviceId,
    );
    expect(slowErrors.length).toBeGreaterThan(0);
    // At most the bound plus the frame that crossed it, never the 32 MiB.
    expect(maxQueued).toBeLessThanOrEqual(BOUND + CHUNK + 1024);
    expect(queuedFor(relay, slow)).toBeLessThanOrEqual(BOUND + CHUNK + 1024);
    // Signalling to it is refused the same way.
    expect(await sender.client.expectError({ t: 'signal', to: slow.deviceId, data: 'x' })).toBe(
      'RECIPIENT_SLOW',
    );
    await sender.client.expect('pong', { t: 'ping' });
    slow.client.ws.terminate();
    await closeAll(sender, fast);
    await relay.destroy();
  });

  it('the relay process RSS stays bounded while a paused member is sent 96 MiB', async () => {
    const proc = await startRelayProcess([
      '--max-buffered-bytes',
      String(BOUND),
      '--frame-rate',
      '100000',
      '--frame-burst',
      '100000',
    ]);
    // A failed expectation must not leave the relay process running.
    try {
      const [sender, slow, fast] = [
        await connectDevice(proc.relay),
        await connectDevice(proc.relay),
        await connectDevice(proc.relay),
      ];
      const { roomId } = await roomWith(sender, [slow, fast]);
      // Warm up (JIT, buffers) before the baseline.
      const frame = clientEnvelope({ room: roomId }, sodium().randombytes_buf(CHUNK));
      for (let i = 0; i < 16; i++) sender.client.sendBinary(frame);
      for (let i = 0; i < 16; i++) await fast.client.nextBinary();
      fast.client.binaryInbox.length = 0;
      pauseReading(slow.client.ws);
      const before = proc.rssBytes();
      let peak = before;
      const totalFrames = 768; // 96 MiB of fan-out, of which 96 MiB is for the paused member
      let received = 0;
      for (let i = 0; i < totalFrames; i++) {
        sender.client.sendBinary(frame);
        if (i % 8 === 7) {
          while (received < i - 16) {
            await fast.client.nextBinary();
            received++;
          }
          peak = Math.max(peak, proc.rssBytes());
        }
      }
      while (received < totalFrames) {
        await fast.client.nextBinary(10_000);
        received++;
      }
      peak = Math.max(peak, proc.rssBytes());
      expect(received).toBe(totalFrames);
      // Garbage and allocator slack make some growth normal; keeping the paused
      // member's 96 MiB would not fit under this.
      expect(peak - before, `relay RSS ${before >> 20} → peak ${peak >> 20} MiB`).toBeLessThan(
        48 * 1024 * 1024,
      );
      slow.client.ws.terminate();
      await closeAll(sender, fast);
    } finally {
      await proc.stop();
    }
  });

  it('a socket that stops reading is dropped by the missed pong, and the room hears it went offline', async () => {
    const relay = await startTestRelay({ pingIntervalMs: 200 });
    const [owner, frozen] = [await connectDevice(relay), await connectDevice(relay)];
    await roomWith(owner, [frozen]);
    pauseReading(frozen.client.ws);
    const offline = await owner.client.waitFor(
      (m) => m.t === 'presence' && m.deviceId === frozen.deviceId && !m.online,
      3_000,
    );
    expect(offline).toMatchObject({ userId: frozen.userId });
    expect(relay.ctx.presence.devices.has(frozen.deviceId)).toBe(false);
    frozen.client.ws.terminate();
    await closeAll(owner);
    await relay.destroy();
  });

  it('a socket that never reads its own replies is cut off at the hard bound', async () => {
    const relay = await startTestRelay({
      maxBufferedBytes: 64 * 1024,
      maxFrameBytes: 64 * 1024,
      maxControlBytes: 32 * 1024,
      frameRatePerSec: 100_000,
      frameBurst: 100_000,
      pingIntervalMs: 60_000,
    });
    const hog = await connectDevice(relay);
    const name = 'n'.repeat(64);
    for (let i = 0; i < 40; i++) {
      await hog.client.expect('room.created', { t: 'room.create', name, visibility: 'public' });
    }
    pauseReading(hog.client.ws);
    // Each room.list reply is ~6 KiB; ask for far more than the kernel and
    // the hard bound (2 × 64 KiB + 64 KiB) can hold.
    const ask = JSON.stringify({ t: 'room.list' });
    for (let i = 0; i < 6_000; i++) hog.client.sendRaw(ask);
    const until = Date.now() + 5_000;
    while (relay.ctx.presence.devices.has(hog.deviceId) && Date.now() < until) await sleep(20);
    expect(relay.ctx.presence.devices.has(hog.deviceId)).toBe(false);
    hog.client.ws.terminate();
    await relay.destroy();
  });
});
