/**
 * Malformed frames: oversize, not JSON, not UTF-8, schema violations of
 * every kind (with the request ref echoed), unknown types, binary frames
 * that are not envelopes, prototype-pollution keys. Each gets its stable
 * code; the socket stays usable until repeated abuse closes it with 1008;
 * the relay keeps serving everyone else throughout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import { assertRelayServes, closeAll, codeOf, RawClient, unknownCodes } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  roomWith,
  startTestRelay,
  TestClient,
  type TestRelay,
} from './harness.ts';

/** Lenient on abuse so one socket can walk through every malformed case. */
let relay: TestRelay;
/** Default abuse limit (20 bad frames a minute) and a small frame limit. */
let strict: TestRelay;
let me: ConnectedDevice;
let roomId: string;

const MAX_FRAME = 64 * 1024;
const MAX_CONTROL = 16 * 1024;

beforeAll(async () => {
  relay = await startTestRelay({ maxViolationsPerMin: 100_000 });
  strict = await startTestRelay({ maxFrameBytes: MAX_FRAME, maxControlBytes: MAX_CONTROL });
  me = await connectDevice(relay);
  roomId = (await roomWith(me, [])).roomId;
});
afterAll(async () => {
  await me.client.close();
  await relay.destroy();
  await strict.destroy();
});
afterEach(() => {
  expect(relaySchemaErrors()).toEqual([]);
});

// The case tables below are built at collection time.
await loadSodium();
const b64 = (n: number) => toB64(sodium().randombytes_buf(n));

/** Still answers on this socket. */
async function usable(c: TestClient): Promise<void> {
  await c.expect('pong', { t: 'ping' });
}

describe('size limits', () => {
  it('a frame over max-frame-bytes closes the socket with 1009 (text or binary, before or after login)', async () => {
    const cases: [string, (c: TestClient) => void][] = [
      ['text', (c) => c.sendRaw('x'.repeat(MAX_FRAME + 1))],
      ['binary', (c) => c.sendBinary(new Uint8Array(MAX_FRAME + 1))],
    ];
    for (const [, send] of cases) {
      const pre = await TestClient.open(strict);
      send(pre);
      expect((await pre.waitClosed()).code).toBe(1009);
      const post = await connectDevice(strict);
      send(post.client);
      expect((await post.client.waitClosed()).code).toBe(1009);
    }
  });

  it('a control frame over max-control-bytes is FRAME_TOO_LARGE and the socket stays usable', async () => {
    const d = await connectDevice(strict);
    const ref = 'big-one';
    d.client.send({ t: 'ping', ref, pad: 'x'.repeat(MAX_CONTROL) });
    expect(await d.client.next('error')).toMatchObject({ code: 'FRAME_TOO_LARGE' });
    await usable(d.client);
    await d.client.close();
  });
});

describe('not JSON, not UTF-8', () => {
  it('invalid JSON is BAD_JSON and the socket stays usable', async () => {
    const bad = [
      '{',
      '',
      'nul',
      '{"t":"ping",}',
      "{'t':'ping'}",
      '\u0000',
      '[1,',
      '{"t":"ping"}x',
      '\uFEFF{"t":"ping"}',
    ];
    for (const text of bad) {
      me.client.sendRaw(text);
      expect((await me.client.next('error')).code, JSON.stringify(text)).toBe('BAD_JSON');
    }
    await usable(me.client);
  });

  it('hostile JSON shapes (deep nesting, huge numbers, non-objects) get a code, not a crash', async () => {
    const deep = `${'['.repeat(8_000)}${']'.repeat(8_000)}`;
    const cases: [string, string][] = [
      [deep, 'SCHEMA'],
      [`{"t":"ping","x":${deep}}`, 'SCHEMA'],
      ['[]', 'SCHEMA'],
      ['1', 'SCHEMA'],
      ['"ping"', 'SCHEMA'],
      ['null', 'SCHEMA'],
      ['true', 'SCHEMA'],
      ['{"t":"mailbox.ack","ids":[1e400]}', 'SCHEMA'],
      ['{"t":"mailbox.ack","ids":[-0.5]}', 'SCHEMA'],
      ['{"t":"ping","t":"room.delete"}', 'SCHEMA'],
    ];
    for (const [text, code] of cases) {
      me.client.sendRaw(text);
      expect((await me.client.next('error')).code, text.slice(0, 40)).toBe(code);
    }
    await usable(me.client);
  });

  it('a text frame that is not UTF-8 closes that socket (1007) and nothing else', async () => {
    const c = await RawClient.open(relay.wsUrl);
    await c.hello();
    c.sendTextBytes(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect((await c.waitClosed()).code).toBe(1007);
    await usable(me.client);
  });
});

describe('schema violations', () => {
  const nonCanonical = `${'A'.repeat(21)}B`; // 16 bytes with stray low bits
  const cases: [string, Record<string, unknown>][] = [
    ['extra key', { t: 'ping', extra: 1 }],
    [
      'extra key on a nested object',
      { t: 'prekey.rotate', spk: { id: 1, pk: b64(32), created: 1, sig: b64(64), x: 1 } },
    ],
    ['wrong type (number for string)', { t: 'room.create', name: 5, visibility: 'public' }],
    ['wrong type (string for number)', { t: 'mailbox.ack', ids: ['1'] }],
    ['wrong type (object for string)', { t: 'signal', to: { id: 1 }, data: 'x' }],
    ['null for an optional field', { t: 'room.join', roomId: b64(16), invite: null }],
    ['missing field', { t: 'room.join' }],
    ['missing nested field', { t: 'prekey.rotate', spk: { id: 1, pk: b64(32), created: 1 } }],
    ['over-long room name', { t: 'room.create', name: 'x'.repeat(65), visibility: 'public' }],
    [
      'control character in a room name',
      { t: 'room.create', name: 'a\u0000b', visibility: 'public' },
    ],
    ['empty room name', { t: 'room.create', name: '', visibility: 'public' }],
    ['over-long username', { t: 'keys.get', username: 'a'.repeat(33) }],
    ['username with a space', { t: 'dm.open', username: 'bad name' }],
    ['over-long signal data', { t: 'signal', to: b64(16), data: 'x'.repeat(65_537) }],
    ['empty signal data', { t: 'signal', to: b64(16), data: '' }],
    ['unknown enum value', { t: 'room.create', name: 'x', visibility: 'secret' }],
    [
      'role owner is not assignable',
      { t: 'room.role', roomId: b64(16), userId: b64(16), role: 'owner' },
    ],
    ['negative number', { t: 'mailbox.ack', ids: [-1] }],
    ['fractional number', { t: 'mailbox.ack', ids: [1.5] }],
    ['unsafe integer', { t: 'mailbox.ack', ids: [2 ** 53] }],
    [
      'u32 overflow',
      { t: 'prekey.rotate', spk: { id: 2 ** 32, pk: b64(32), created: 1, sig: b64(64) } },
    ],
    ['empty array', { t: 'mailbox.ack', ids: [] }],
    ['array too long', { t: 'mailbox.ack', ids: Array.from({ length: 1_001 }, (_, i) => i) }],
    ['non-base64 id', { t: 'keys.get', userId: 'not/base64+at+all!!!!!' }],
    ['base64 with padding', { t: 'keys.get', userId: `${b64(16)}==` }],
    ['non-canonical base64', { t: 'keys.get', userId: nonCanonical }],
    ['base64 of the wrong length', { t: 'room.members', roomId: b64(15) }],
    ['both alternatives given', { t: 'keys.get', userId: b64(16), username: 'someone' }],
    ['neither alternative given', { t: 'keys.get' }],
    ['hello twice', { t: 'hello', v: 1 }],
    ['extra key that looks like a ref', { t: 'ping', ref2: 'x' }],
  ];

  for (const [name, msg] of cases) {
    it(`${name} is SCHEMA with the ref echoed`, async () => {
      const ref = `ref-${name.replaceAll(' ', '-')}`.slice(0, 64);
      const reply = await me.client.request({ ...msg, ref });
      expect(reply).toMatchObject({ t: 'error', code: 'SCHEMA', ref });
    });
  }

  it('prototype-pollution keys are refused and pollute nothing', async () => {
    const texts = [
      '{"t":"ping","__proto__":{"polluted":true},"ref":"p1"}',
      '{"t":"ping","constructor":{"prototype":{"polluted":true}},"ref":"p2"}',
      '{"t":"room.create","name":"x","visibility":"public","__proto__":{"t":"room.delete"},"ref":"p3"}',
      '{"t":"prekey.rotate","spk":{"__proto__":{"id":1}},"ref":"p4"}',
      `{"t":"room.join","roomId":"${b64(16)}","__proto__":{"invite":"${b64(16)}"},"ref":"p5"}`,
    ];
    for (const [i, text] of texts.entries()) {
      me.client.sendRaw(text);
      const reply = await me.client.waitFor((m) => 'ref' in m && m.ref === `p${i + 1}`);
      expect(codeOf(reply), text).toBe('SCHEMA');
    }
    // The relay runs in this process: a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    await usable(me.client);
  });
});

describe('odd but valid text', () => {
  it('lone surrogates, bidi controls and NULs in free-text fields get a code or pass through, never INTERNAL', async () => {
    const peer = await connectDevice(relay);
    await peer.client.expect('room.joined', { t: 'room.join', roomId });
    const texts = [
      '{"t":"room.create","name":"\\ud800","visibility":"public","ref":"s1"}',
      '{"t":"room.create","name":"a\\u202eb\\u200d\\ufeff","visibility":"public","ref":"s2"}',
      `{"t":"signal","to":"${peer.deviceId}","data":"\\udfff\\u0000\\ud800x","ref":"s3"}`,
      '{"t":"ping","ref":"\\ud800\\u0000"}',
    ];
    for (const text of texts) me.client.sendRaw(text);
    await usable(me.client);
    const replies = me.client.inbox.splice(0);
    expect(replies.filter((m) => m.t === 'error' && m.code === 'INTERNAL')).toEqual([]);
    expect(replies.some((m) => m.t === 'pong')).toBe(true);
    const signal = await peer.client.next('signal');
    expect(signal.data).toContain('x');
    await peer.client.close();
  });
});

describe('unknown types and out-of-order messages', () => {
  it('an unknown or inherited-property type is UNKNOWN_TYPE with the ref echoed', async () => {
    for (const t of [
      'nope',
      '',
      'PING',
      'ping ',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      5,
      null,
    ]) {
      const ref = `u-${String(t)}`;
      const reply = await me.client.request({ t, ref });
      expect(reply, String(t)).toMatchObject({ t: 'error', code: 'UNKNOWN_TYPE', ref });
    }
    const reply = await me.client.request({ ref: 'no-t' });
    expect(reply).toMatchObject({ code: 'UNKNOWN_TYPE', ref: 'no-t' });
  });

  it('before hello everything but hello is HELLO_REQUIRED; before login, NOT_AUTHED', async () => {
    const c = await TestClient.open(relay);
    expect(await c.expectError({ t: 'room.list' })).toBe('HELLO_REQUIRED');
    expect(await c.expectError({ t: 'ping' })).toBe('HELLO_REQUIRED');
    await c.hello();
    for (const t of ['room.list', 'mailbox.fetch', 'room.public']) {
      expect(await c.expectError({ t })).toBe('NOT_AUTHED');
    }
    expect(await c.expectError({ t: 'room.create', name: 'x', visibility: 'public' })).toBe(
      'NOT_AUTHED',
    );
    c.sendBinary(new Uint8Array([1, 2, 0, 1, 65, 1]));
    expect((await c.next('error')).code).toBe('NOT_AUTHED');
    await usable(c);
    await c.close();
  });

  it('a wrong protocol version is VERSION_MISMATCH and a close', async () => {
    const c = await TestClient.open(relay);
    expect(await c.expectError({ t: 'hello', v: 999 })).toBe('VERSION_MISMATCH');
    expect((await c.waitClosed()).code).toBe(4000);
  });
});

describe('binary frames that are not envelopes', () => {
  const id = (s: string) => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const cases: [string, number[]][] = [
    ['empty', []],
    ['one byte', [1]],
    ['header only, no id', [1, 1, 0]],
    ['unknown version', [9, 1, 0, ...id('abc')]],
    ['version zero', [0, 1, 0, ...id('abc')]],
    ['unknown kind', [1, 9, 0, ...id('abc')]],
    ['kind zero', [1, 0, 0, ...id('abc')]],
    ['unknown flag bits', [1, 1, 0x80, ...id('abc')]],
    ['id longer than 64', [1, 1, 0, 65, ...new Array(65).fill(65)]],
    ['id length past the end', [1, 1, 0, 10, 65, 65]],
    ['id with a bad character', [1, 2, 0, 3, 65, 0x2f, 65]],
    ['id with a non-ASCII byte', [1, 2, 0, 2, 0xc3, 0xa9]],
    ['relay kind fromDevice', [1, 3, 0, ...id('a'), ...id('b')]],
    ['relay kind fromRoom', [1, 4, 0, ...id('a'), ...id('b'), ...id('c')]],
    ['relay kind mailbox', [1, 5, 0, ...id('1'), ...id('a'), ...id('b'), ...id(''), ...id('1')]],
  ];
  for (const [name, bytes] of cases) {
    it(`${name} is BAD_FRAME and the socket stays usable`, async () => {
      me.client.sendBinary(new Uint8Array(bytes));
      expect((await me.client.next('error')).code).toBe('BAD_FRAME');
      await usable(me.client);
    });
  }

  it('an envelope to a room id or device id that was never issued is refused, not a crash', async () => {
    for (const target of ['', '-', 'x'.repeat(64), roomId.toLowerCase()]) {
      me.client.sendBinary(new Uint8Array([1, 2, 1, ...id(target), 0xde, 0xad]));
      expect(await me.client.next('envelope.error')).toMatchObject({ code: 'FORBIDDEN' });
      me.client.sendBinary(new Uint8Array([1, 1, 1, ...id(target), 0xbe, 0xef]));
      expect(await me.client.next('envelope.error')).toMatchObject({ code: 'FORBIDDEN' });
    }
    await usable(me.client);
  });
});

describe('repeated abuse', () => {
  it('a socket that keeps sending bad frames is closed with 1008 while others are served', async () => {
    const bystander = await connectDevice(strict);
    const abusers = [await TestClient.open(strict), (await connectDevice(strict)).client];
    const pre = await TestClient.open(strict);
    await pre.hello();
    abusers.push(pre);
    for (const abuser of abusers) {
      for (let i = 0; i < 40 && abuser.isOpen; i++) abuser.sendRaw('{not json');
      expect((await abuser.waitClosed()).code).toBe(1008);
      await usable(bystander.client);
    }
    for (const abuser of abusers) expect(unknownCodes(abuser.inbox)).toEqual([]);
    // Bad binary frames count too.
    const binary = await connectDevice(strict);
    for (let i = 0; i < 40 && binary.client.isOpen; i++)
      binary.client.sendBinary(new Uint8Array([7]));
    expect((await binary.client.waitClosed()).code).toBe(1008);
    await usable(bystander.client);
    await closeAll(bystander);
  });
});

describe('after all of the above', () => {
  it('both relays still let a newcomer register, join a room and talk', async () => {
    await assertRelayServes(relay);
    await assertRelayServes(strict);
    await usable(me.client);
  });
});
