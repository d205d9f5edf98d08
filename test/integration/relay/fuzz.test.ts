import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientMessageSchemas } from '../../../shared/protocol/client-messages.ts';
import { isErrorCode } from '../../../shared/protocol/errors.ts';
import type { RelayMessage } from '../../../shared/protocol/relay-messages.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
let device: ConnectedDevice;

beforeAll(async () => {
  relay = await startTestRelay({
    maxViolationsPerMin: 1_000_000,
    frameRatePerSec: 1_000_000,
    frameBurst: 1_000_000,
    authAttemptsPerMinPerIp: 1_000_000,
    blobAttemptsPerAccount: 1_000_000,
    blobAttemptsPerIp: 1_000_000,
  });
  device = await connectDevice(relay);
});
afterAll(async () => {
  await device.client.close();
  await relay.destroy();
});

const FIELD_NAMES = [
  't',
  'ref',
  'v',
  'username',
  'roomId',
  'name',
  'visibility',
  'ids',
  'to',
  'data',
  'cert',
  'spk',
  'challenge',
  'sig',
  'invite',
  'userId',
  'role',
  'kind',
  'authPk',
  'salt',
  'kdf',
  'blob',
  'x',
];
const TYPES = Object.keys(ClientMessageSchemas);

/** Frames a hostile or broken client might send. */
const frameArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc
    .tuple(
      fc.constantFrom(...TYPES),
      fc.dictionary(fc.constantFrom(...FIELD_NAMES), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    )
    .map(([t, rest]) => JSON.stringify({ ...rest, t })),
  fc.uint8Array({ maxLength: 300 }),
  fc
    .tuple(
      fc.integer({ min: 0, max: 7 }),
      fc.integer({ min: 0, max: 3 }),
      fc.uint8Array({ maxLength: 80 }),
    )
    .map(([kind, flags, rest]) => Uint8Array.from([1, kind, flags, ...rest])),
);

/** Known close codes for a socket the relay closes on purpose. */
const CLOSE_CODES_SEEN_OK = new Set([1000, 1001, 1007, 1008, 1009, 4000, 4001, 4003]);

describe('fuzzing the relay with arbitrary frames', () => {
  it('never crashes, and answers every frame with a known code or a valid reply', async () => {
    let sync = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(frameArb, async (frame) => {
        if (!device.client.isOpen) device = await connectDevice(relay);
        const c = device.client;
        const before = c.inbox.length;
        c.sendRaw(frame);
        sync += 1;
        const ref = `sync-${sync}`;
        c.send({ t: 'ping', ref });
        const done = await Promise.race([
          c.waitFor((m) => m.t === 'pong' && m.ref === ref, 5_000).then(() => 'pong' as const),
          c.closed.then((cl) => cl),
        ]);
        if (done !== 'pong') {
          expect(CLOSE_CODES_SEEN_OK).toContain(done.code);
          return;
        }
        const answers: RelayMessage[] = c.inbox.splice(before);
        const binaryAnswers = c.binaryInbox.splice(0);
        expect(answers.length + binaryAnswers.length).toBeGreaterThan(0);
        for (const m of answers) {
          if (m.t === 'error' || m.t === 'envelope.error') {
            expect(isErrorCode(m.code)).toBe(true);
            seen.add(m.code);
          }
        }
      }),
      { numRuns: 300 },
    );
    expect((await fetch(`${relay.url}/livez`)).status).toBe(200);
    expect(relaySchemaErrors()).toEqual([]);
    // The generators reach every layer: JSON, dispatch, schema, envelopes.
    for (const code of ['BAD_JSON', 'UNKNOWN_TYPE', 'SCHEMA', 'BAD_FRAME'])
      expect(seen).toContain(code);
  });
});
