/**
 * Canary: unique strings put everywhere a client can put bytes — envelope
 * payloads (live and for the mailbox), signalling data, and malformed frames
 * — must never show up in the relay's logs (captured at trace level) or its
 * error replies, and the database must hold them only as the mailbox payload
 * it was asked to keep (in real use that payload is ciphertext).
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toB64, utf8 } from '../../../shared/crypto/encoding.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { captureLogs, closeAll, containsBytes, databaseBytes } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  roomWith,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

let relay: TestRelay;
const logs = captureLogs();
let live: string;
let mail: string;
let alice: ConnectedDevice;
let bob: ConnectedDevice;
let carol: ConnectedDevice;
let mailColumnsBeforeAck: string[] = [];

beforeAll(async () => {
  relay = await startTestRelay(
    { logLevel: 'trace', maxViolationsPerMin: 1_000 },
    { logDestination: logs.stream },
  );
  live = `LIVE-CANARY-${toB64(sodium().randombytes_buf(12))}`;
  mail = `MAIL-CANARY-${toB64(sodium().randombytes_buf(12))}`;
  alice = await connectDevice(relay);
  bob = await connectDevice(relay);
  carol = await connectDevice(relay);
  const { roomId } = await roomWith(alice, [bob, carol]);
  await carol.client.close();

  // Live traffic: envelopes to a device and to the room, and signalling.
  alice.client.sendBinary(clientEnvelope({ device: bob.deviceId }, utf8(live)));
  await bob.client.nextBinary();
  alice.client.sendBinary(clientEnvelope({ room: roomId }, utf8(live)));
  await bob.client.nextBinary();
  await alice.client.expect('ok', { t: 'signal', to: bob.deviceId, data: live });
  await bob.client.next('signal');
  // Mailbox traffic for Carol's offline device.
  alice.client.sendBinary(clientEnvelope({ room: roomId }, utf8(mail), { storeIfOffline: true }));
  await alice.client.next('envelope.stored');
  // Malformed frames carrying the canary in every position a parser reports
  // on (not in `ref`, which the protocol echoes on purpose).
  const bad: string[] = [
    `{"t":"ping","${live}":1}`,
    `{"t":"${live}"}`,
    `{"t":"room.create","name":"${live}${'x'.repeat(80)}","visibility":"public"}`,
    `{"t":"keys.get","username":"${live}"}`,
    `{"t":"signal","to":"${live}","data":"${live}"}`,
    `${live}{`,
  ];
  for (const text of bad) alice.client.sendRaw(text);
  alice.client.sendBinary(new Uint8Array([1, 9, 0, ...utf8(live)]));
  alice.client.sendBinary(clientEnvelope({ device: carol.deviceId }, utf8(live)));
  await alice.client.expect('pong', { t: 'ping' });
  mailColumnsBeforeAck = withDatabase((db) => columnsHolding(mail, db));
  // Carol comes back, collects her mail and acks it.
  const back = await connectDevice(relay, { keys: carol.keys, mode: 'login' });
  const item = await back.client.nextBinary();
  if (item.kind !== 'mailbox') throw new Error('expected a mailbox item');
  await back.client.expect('ok', { t: 'mailbox.ack', ids: [item.itemId] });
  carol = back;
});
afterAll(async () => {
  await closeAll(alice, bob, carol);
  await relay.destroy();
});

function withDatabase<T>(use: (db: Database.Database) => T): T {
  const db = new Database(relay.dbPath, { readonly: true, fileMustExist: true });
  try {
    return use(db);
  } finally {
    db.close();
  }
}

/** Every table.column of the live database holding `needle` (as text or bytes). */
function columnsHolding(needle: string, db: Database.Database): string[] {
  const hits = new Set<string>();
  const bytes = utf8(needle);
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
    name: string;
  }[];
  for (const { name } of tables) {
    for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
      for (const [column, value] of Object.entries(row)) {
        const found =
          (typeof value === 'string' && value.includes(needle)) ||
          (value instanceof Uint8Array && containsBytes(value, bytes));
        if (found) hits.add(`${name}.${column}`);
      }
    }
  }
  return [...hits];
}

describe('canary', () => {
  it('the logs saw the traffic but hold no canary, raw or base64', () => {
    const text = logs.text();
    // The capture works: the relay did log (JSON lines) during all that.
    const lines = text.split('\n').filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    for (const canary of [live, mail]) {
      expect(text.includes(canary), `${canary} in logs`).toBe(false);
      expect(text.includes(toB64(utf8(canary))), `${canary} (base64) in logs`).toBe(false);
    }
  });

  it('error replies never echo the canary back (not even as an unknown key name)', () => {
    const replies = JSON.stringify(alice.client.inbox);
    expect(alice.client.inbox.some((m) => m.t === 'error')).toBe(true);
    expect(replies.includes(live), replies).toBe(false);
    expect(relaySchemaErrors()).toEqual([]);
  });

  it('the database holds no live-traffic canary at all, in any table or in the raw files', () => {
    expect(withDatabase((db) => columnsHolding(live, db))).toEqual([]);
    expect(containsBytes(databaseBytes(relay), utf8(live))).toBe(false);
  });

  it('the mailbox canary is stored only as the mailbox payload, and leaves the tables once acked', () => {
    expect(mailColumnsBeforeAck).toEqual(['mailbox.payload']);
    expect(withDatabase((db) => columnsHolding(mail, db))).toEqual([]);
  });
});
