/**
 * Property: whatever frames a client throws at the relay — random text,
 * random JSON, valid messages with a field dropped, added or retyped, random
 * bytes with or without an envelope header — before or after login, the
 * relay answers only with messages of its published schema, only with known
 * error codes, never with INTERNAL, never crashes, and a fresh client still
 * works afterwards.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { certToWire, prekeyToWire } from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { RelayMessage } from '../../../shared/protocol/relay-messages.ts';
import { assertRelayServes, unknownCodes } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  type DeviceKeys,
  relaySchemaErrors,
  roomWith,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

const RUNS_PER_PHASE = 400;

let relay: TestRelay;
let owner: ConnectedDevice;
let peer: ConnectedDevice;
let roomId: string;
let fuzzKeys: DeviceKeys;

beforeAll(async () => {
  // Abuse limits off: the point is to reach every handler, not the closer.
  relay = await startTestRelay({
    maxViolationsPerMin: 1_000_000,
    frameRatePerSec: 1_000_000,
    frameBurst: 1_000_000,
    authAttemptsPerMinPerIp: 1_000_000,
    blobAttemptsPerAccount: 1_000_000,
    blobAttemptsPerIp: 1_000_000,
  });
  owner = await connectDevice(relay);
  peer = await connectDevice(relay);
  const fuzzer = await connectDevice(relay);
  fuzzKeys = fuzzer.keys;
  await fuzzer.client.close();
  roomId = (await roomWith(owner, [peer], 'private')).roomId;
});
afterAll(async () => {
  await Promise.all([owner.client.close(), peer.client.close()]);
  await relay.destroy();
});

/** Valid-looking messages of every client type, the seeds for mutation. */
function templates(): Record<string, unknown>[] {
  const b64 = (n: number) => toB64(sodium().randombytes_buf(n));
  const challenge = { nonce: b64(32), ts: Date.now() };
  const cert = certToWire(fuzzKeys.cert);
  const spk = prekeyToWire(fuzzKeys.spk);
  const kdf = { alg: 'argon2id13', opslimit: 3, memlimit: 64 * 1024 * 1024 };
  const ids = { roomId, userId: peer.userId };
  return [
    { t: 'hello', v: 1 },
    { t: 'challenge.new' },
    { t: 'register', username: 'fuzzy', cert, spk, challenge, sig: b64(64) },
    { t: 'login', cert, challenge, sig: b64(64) },
    { t: 'device.add', cert, spk, challenge, sig: b64(64) },
    { t: 'prelogin', username: peer.keys.username },
    { t: 'blob.fetch', username: peer.keys.username, kind: 'password', challenge, sig: b64(64) },
    { t: 'password.set', authPk: b64(32), salt: b64(16), kdf, blob: b64(72) },
    { t: 'recovery.set', authPk: b64(32), blob: b64(72) },
    { t: 'keys.get', username: peer.keys.username },
    { t: 'keys.get', userId: peer.userId },
    { t: 'prekey.rotate', spk },
    { t: 'room.create', name: 'fuzz room', visibility: 'private' },
    { t: 'room.join', roomId, invite: b64(16) },
    { t: 'room.leave', roomId },
    { t: 'room.list' },
    { t: 'room.public' },
    { t: 'room.members', roomId },
    { t: 'room.invite', roomId },
    { t: 'room.kick', ...ids },
    { t: 'room.ban', ...ids },
    { t: 'room.unban', ...ids },
    { t: 'room.role', ...ids, role: 'admin' },
    { t: 'room.delete', roomId },
    { t: 'dm.open', username: peer.keys.username },
    { t: 'dm.block', username: peer.keys.username },
    { t: 'signal', to: peer.deviceId, data: 'v=0' },
    { t: 'mailbox.fetch' },
    { t: 'mailbox.ack', ids: [1, 2] },
    { t: 'ping' },
  ];
}

type Frame = { text: string } | { bytes: Uint8Array };

function mutated(): fc.Arbitrary<Frame> {
  const seeds = templates();
  const seed = fc.constantFrom(...seeds);
  const json = fc.jsonValue({ maxDepth: 3 });
  const key = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'ref', 't', 'v', 'toString'),
  );
  const drop = fc.tuple(seed, fc.nat()).map(([m, i]) => {
    const keys = Object.keys(m);
    const out = { ...m };
    delete out[keys[i % keys.length]!];
    return out;
  });
  const add = fc.tuple(seed, key, json).map(([m, k, value]) => ({ ...m, [k]: value }));
  const retype = fc.tuple(seed, fc.nat(), json).map(([m, i, value]) => {
    const keys = Object.keys(m);
    return { ...m, [keys[i % keys.length]!]: value };
  });
  const nested = fc.tuple(seed, json).map(([m, value]) => {
    const out: Record<string, unknown> = { ...m };
    for (const [k, v] of Object.entries(out)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = { ...v, extra: value };
    }
    return out;
  });
  const withRef = (obj: fc.Arbitrary<Record<string, unknown>>) =>
    fc
      .tuple(obj, fc.option(fc.oneof(fc.string({ maxLength: 80 }), json)))
      .map(([m, ref]) => (ref === null ? m : { ...m, ref }));
  const text = fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: json.map((v) => JSON.stringify(v)) },
    {
      weight: 4,
      arbitrary: withRef(fc.oneof(drop, add, retype, nested)).map((m) => JSON.stringify(m)),
    },
    // Untouched seeds reach the handlers (with whatever state earlier frames left).
    { weight: 2, arbitrary: withRef(seed).map((m) => JSON.stringify(m)) },
    {
      // Raw JSON with a literal __proto__ key (JSON.stringify of a spread loses it).
      weight: 1,
      arbitrary: fc
        .tuple(seed, json)
        .map(([m, v]) => JSON.stringify(m).replace(/^\{/, `{"__proto__":${JSON.stringify(v)},`)),
    },
  );
  const header = fc.tuple(
    fc.integer({ min: 0, max: 6 }),
    fc.integer({ min: 0, max: 5 }),
    fc.integer({ min: 0, max: 3 }),
  );
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .tuple(header, fc.uint8Array({ maxLength: 80 }))
      .map(([[v, kind, flags], rest]) => Uint8Array.from([v, kind, flags, ...rest])),
    fc
      .tuple(
        fc.constantFrom(1, 2),
        fc.constantFrom(peer.deviceId, roomId, ''),
        fc.uint8Array({ maxLength: 64 }),
      )
      .map(([kind, id, payload]) =>
        Uint8Array.from([
          1,
          kind,
          1,
          id.length,
          ...Array.from(id, (c) => c.charCodeAt(0)),
          ...payload,
        ]),
      ),
  );
  return fc.oneof(
    { weight: 3, arbitrary: text.map((t): Frame => ({ text: t })) },
    { weight: 1, arbitrary: bytes.map((b): Frame => ({ bytes: b })) },
  );
}

type Phase = 'pre-auth' | 'post-auth';

async function freshSocket(phase: Phase): Promise<TestClient> {
  if (phase === 'post-auth')
    return (await connectDevice(relay, { keys: fuzzKeys, mode: 'login' })).client;
  const c = await TestClient.open(relay);
  await c.hello();
  return c;
}

/** Sends the frame, then a ping; resolves once the ping is answered or the socket closed. */
async function throwFrame(c: TestClient, frame: Frame): Promise<'answered' | 'closed'> {
  if ('text' in frame) c.sendRaw(frame.text);
  else c.sendBinary(frame.bytes);
  const pong = c.request({ t: 'ping', ref: 'fuzz-probe' });
  pong.catch(() => {});
  return Promise.race([
    pong.then(() => 'answered' as const),
    c.closed.then(() => 'closed' as const),
  ]);
}

describe('fuzzing the relay with arbitrary frames', () => {
  const seen: RelayMessage[] = [];
  const closes: number[] = [];

  for (const phase of ['pre-auth', 'post-auth'] as const) {
    it(`${phase}: every reply is a known message with a known code, and the relay never fails`, async () => {
      let socket = await freshSocket(phase);
      await fc.assert(
        fc.asyncProperty(mutated(), async (frame) => {
          if (!socket.isOpen) {
            seen.push(...socket.inbox);
            socket = await freshSocket(phase);
          }
          const outcome = await throwFrame(socket, frame);
          if (outcome === 'closed') closes.push((await socket.closed).code);
          const internal = socket.inbox.filter((m) => m.t === 'error' && m.code === 'INTERNAL');
          expect(internal).toEqual([]);
          expect(unknownCodes(socket.inbox)).toEqual([]);
          expect(relaySchemaErrors()).toEqual([]);
          seen.push(...socket.inbox.splice(0));
        }),
        { numRuns: RUNS_PER_PHASE },
      );
      await socket.close();
      // Closes are only the documented ones (policy, too big, bad UTF-8, version, replaced).
      for (const code of closes) expect([1007, 1008, 1009, 4000, 4001]).toContain(code);
    });
  }

  it('afterwards the relay still serves a fresh client, and only known codes were ever sent', async () => {
    expect(unknownCodes(seen)).toEqual([]);
    expect(seen.filter((m) => m.t === 'error' && m.code === 'INTERNAL')).toEqual([]);
    await assertRelayServes(relay);
    await owner.client.expect('pong', { t: 'ping' });
  });
});
