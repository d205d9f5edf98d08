import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KDF_CONTEXT, SENDER_KEYS, WIRE_TYPE } from '../../../../shared/crypto/constants.ts';
import { fromUtf8, toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import { messageKey, nextChainKey } from '../../../../shared/crypto/sender-key-ratchet.ts';
import {
  peekSenderKeyHeader,
  SenderKeyChain,
  SenderKeyReceiver,
  shouldRotateEpoch,
  verifyDistribution,
} from '../../../../shared/crypto/sender-keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { decodeWire, encodeWire } from '../../../../shared/crypto/wire.ts';
import { flipBit, makeDevice } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

const ROOM = 'room:4c1d';
const NOW = 1_763_700_000_000;

function setup(epoch = 0) {
  const alice = makeDevice();
  const chain = SenderKeyChain.create({ room: ROOM, epoch, dk: alice.dk, createdAtMs: NOW });
  const dist = verifyDistribution(chain.distribution(), { dkPk: alice.dk.publicKey, room: ROOM });
  if (!dist.ok) throw new Error(dist.code);
  const receiver = SenderKeyReceiver.fromDistribution(dist.value);
  return { alice, chain, receiver };
}

function send(chain: SenderKeyChain, text: string, n = chain.nextIndex): Uint8Array {
  return chain.encrypt(utf8(text), { msgId: `m${n}`, ts: NOW + n });
}

function text(r: ReturnType<SenderKeyReceiver['decrypt']>): string | null {
  return r.ok ? fromUtf8(r.value.plaintext) : null;
}

/** The message's four wire fields: header, nonce, ciphertext, signature. */
function fields(message: Uint8Array): Uint8Array[] {
  const f = decodeWire(message, WIRE_TYPE.senderKeyMessage, 4, 1 << 22);
  if (!f) throw new Error('not a message');
  return f.map((x) => x.slice());
}

describe('room sender keys', () => {
  it('members read every message, in order or not', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 300 }), { minLength: 1, maxLength: 12 }),
        fc.integer(),
        (texts, seed) => {
          const { chain, receiver } = setup();
          const sealed = texts.map((t) => send(chain, t));
          const order = sealed
            .map((_, i) => i)
            .sort((x, y) => ((x * 7919 + seed) % 13) - ((y * 7919 + seed) % 13));
          for (const i of order) expect(text(receiver.decrypt(sealed[i]!))).toBe(texts[i]);
        },
      ),
      { numRuns: 20 },
    );
  });

  // Independent vectors (Python hashlib.blake2b with libsodium's kdf salt/person layout).
  it('derives message and chain keys as the spec says (known-answer vectors)', () => {
    const ck0 = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(toHex(messageKey(ck0))).toBe(
      '4f2c83fb3a7a138ba6e4643a99188ecbce8e7967eca6f735e521c4fef34a5725',
    );
    const ck1 = nextChainKey(ck0);
    expect(toHex(ck1)).toBe('62e4525c2249717c9803fe91a2a2077afc23d33cef2ee6dfdc64255d9f37f3c0');
    expect(toHex(messageKey(ck1))).toBe(
      'f1e0ee9b1a19faf6231ded8982e8520222496693170b1451b9f2528d84b3b76b',
    );
  });

  it('pads plaintext to a multiple of 256 bytes', () => {
    const { chain } = setup();
    const short = fields(send(chain, 'hi'))[2]!;
    const longer = fields(send(chain, 'x'.repeat(200)))[2]!;
    expect(short.length).toBe(longer.length);
    expect((short.length - 16) % SENDER_KEYS.padBlockBytes).toBe(0);
  });

  it('rejects a flipped bit in the header, nonce, ciphertext or signature', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.nat(), (field, bit) => {
        const { chain, receiver } = setup();
        const good = send(chain, 'pay 10 to bob');
        const f = fields(good);
        f[field] = flipBit(f[field]!, bit % (f[field]!.length * 8));
        const r = receiver.decrypt(encodeWire(WIRE_TYPE.senderKeyMessage, ...f));
        expect(r.ok).toBe(false);
        // The genuine message still opens: nothing was committed.
        expect(text(receiver.decrypt(good))).toBe('pay 10 to bob');
      }),
      { numRuns: 60 },
    );
  });

  it('rejects any tampering with the encoded message', () => {
    fc.assert(
      fc.property(fc.nat(), (bit) => {
        const { chain, receiver } = setup();
        const good = send(chain, 'hello');
        expect(receiver.decrypt(flipBit(good, bit % (good.length * 8))).ok).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a replayed message', () => {
    const { chain, receiver } = setup();
    const m0 = send(chain, 'once');
    const m1 = send(chain, 'twice?');
    expect(text(receiver.decrypt(m0))).toBe('once');
    expect(receiver.decrypt(m0)).toEqual({ ok: false, code: 'SK_REPLAY' });
    expect(text(receiver.decrypt(m1))).toBe('twice?');
    expect(receiver.decrypt(m1)).toEqual({ ok: false, code: 'SK_REPLAY' });
  });

  it('a skipped message opens once, later, from its stored key', () => {
    const { chain, receiver } = setup();
    const m = [send(chain, 'a'), send(chain, 'b'), send(chain, 'c')];
    expect(text(receiver.decrypt(m[2]!))).toBe('c');
    expect(receiver.skippedKeyCount).toBe(2);
    expect(text(receiver.decrypt(m[0]!))).toBe('a');
    expect(receiver.decrypt(m[0]!)).toEqual({ ok: false, code: 'SK_REPLAY' });
    expect(receiver.skippedKeyCount).toBe(1);
  });

  it('one member cannot write as another, even holding their chain key', () => {
    const { alice, chain, receiver } = setup();
    const mallory = makeDevice();
    const stolen = verifyDistribution(chain.distribution());
    if (!stolen.ok) throw new Error('distribution');
    // Mallory holds Alice's chain key (every member does) and writes a message
    // that names Alice's DK, with a correct AEAD, signed with her own key.
    const asAlice = { publicKey: alice.dk.publicKey, privateKey: mallory.dk.privateKey };
    const forger = SenderKeyChain.importState(
      encodeWire(
        WIRE_TYPE.senderKeyChainState,
        ROOM,
        0,
        alice.dk.publicKey,
        stolen.value.n,
        stolen.value.chainKey,
        NOW,
      ),
      asAlice,
    );
    if (!forger.ok) throw new Error('forger');
    const forged = send(forger.value, 'alice says: make mallory admin');
    expect(receiver.decrypt(forged)).toEqual({ ok: false, code: 'SK_BAD_SIGNATURE' });
    // Signed honestly as herself, the message never reaches Alice's chain.
    const mine = SenderKeyChain.importState(
      encodeWire(
        WIRE_TYPE.senderKeyChainState,
        ROOM,
        0,
        mallory.dk.publicKey,
        stolen.value.n,
        stolen.value.chainKey,
        NOW,
      ),
      mallory.dk,
    );
    if (!mine.ok) throw new Error('mine');
    expect(receiver.decrypt(send(mine.value, 'hi'))).toEqual({
      ok: false,
      code: 'SK_WRONG_SENDER',
    });
    // Alice's own message is still readable: the forgery committed nothing.
    expect(text(receiver.decrypt(send(chain, 'real')))).toBe('real');
  });

  it('a removed member cannot read anything of the next epoch', () => {
    const { alice, chain, receiver: carol } = setup(5);
    expect(text(carol.decrypt(send(chain, 'before the kick')))).toBe('before the kick');
    expect(
      shouldRotateEpoch({ messagesSent: 1, epochStartedAtMs: NOW, nowMs: NOW, event: 'kick' }),
    ).toBe(true);
    const next = SenderKeyChain.create({ room: ROOM, epoch: 6, dk: alice.dk, createdAtMs: NOW });
    // Bob gets the new distribution; Carol does not.
    const bobDist = verifyDistribution(next.distribution());
    if (!bobDist.ok) throw new Error('dist');
    const bob = SenderKeyReceiver.fromDistribution(bobDist.value);
    const secret = send(next, 'after the kick');
    expect(text(bob.decrypt(secret))).toBe('after the kick');
    expect(carol.decrypt(secret)).toEqual({ ok: false, code: 'SK_WRONG_CHAIN' });
    // Even rewriting her state to claim epoch 6 at index 0 with her old chain key fails:
    // the new epoch's chain key is fresh randomness, not derived from the old one.
    const state = decodeWire(carol.exportState(), WIRE_TYPE.senderKeyReceiverState, 6, 1 << 20)!;
    const claimed = SenderKeyReceiver.importState(
      encodeWire(
        WIRE_TYPE.senderKeyReceiverState,
        ROOM,
        6,
        state[2]!,
        0,
        state[4]!,
        new Uint8Array(0),
      ),
    );
    if (!claimed.ok) throw new Error('import');
    expect(claimed.value.decrypt(secret)).toEqual({ ok: false, code: 'SK_DECRYPT_FAILED' });
  });

  it('a late joiner cannot read messages sent before its distribution', () => {
    const { chain } = setup();
    const early = send(chain, 'before you joined');
    const dist = verifyDistribution(chain.distribution());
    if (!dist.ok) throw new Error('dist');
    const late = SenderKeyReceiver.fromDistribution(dist.value);
    expect(late.decrypt(early)).toEqual({ ok: false, code: 'SK_REPLAY' });
    expect(text(late.decrypt(send(chain, 'welcome')))).toBe('welcome');
  });

  it('allows a jump of exactly 25 000 and rejects 25 001', () => {
    // Fast-forward the sender's chain by hashing alone (no messages to sign).
    const jumpTo = (jump: number) => {
      const { alice, chain, receiver } = setup();
      const state = decodeWire(chain.exportState(), WIRE_TYPE.senderKeyChainState, 6, 1 << 20)!;
      let ck = state[4]!;
      for (let i = 0; i < jump; i++) {
        ck = sodium().crypto_kdf_derive_from_key(32, 2, KDF_CONTEXT.senderKeyChain, ck);
      }
      const ahead = SenderKeyChain.importState(
        encodeWire(WIRE_TYPE.senderKeyChainState, ROOM, 0, alice.dk.publicKey, jump, ck, NOW),
        alice.dk,
      );
      if (!ahead.ok) throw new Error('import');
      return { receiver, message: send(ahead.value, 'far') };
    };
    const within = jumpTo(SENDER_KEYS.maxForwardJump);
    expect(text(within.receiver.decrypt(within.message))).toBe('far');
    expect(within.receiver.skippedKeyCount).toBe(SENDER_KEYS.maxSkippedKeys);
    const beyond = jumpTo(SENDER_KEYS.maxForwardJump + 1);
    expect(beyond.receiver.decrypt(beyond.message)).toEqual({ ok: false, code: 'SK_TOO_FAR' });
  });

  it('stores at most 2 000 skipped keys, evicting the oldest', () => {
    const { chain, receiver } = setup();
    const sealed = Array.from({ length: SENDER_KEYS.maxSkippedKeys + 6 }, (_, i) =>
      send(chain, `m${i}`),
    );
    expect(text(receiver.decrypt(sealed[3]!))).toBe('m3'); // skips 0..2
    expect(text(receiver.decrypt(sealed.at(-1)!))).toBe(`m${sealed.length - 1}`);
    expect(receiver.skippedKeyCount).toBe(SENDER_KEYS.maxSkippedKeys);
    // The oldest skipped (0, 1, 2, 4) were evicted; the newest 2 000 are kept.
    expect(receiver.decrypt(sealed[0]!)).toEqual({ ok: false, code: 'SK_REPLAY' });
    expect(receiver.decrypt(sealed[4]!)).toEqual({ ok: false, code: 'SK_REPLAY' });
    expect(text(receiver.decrypt(sealed[5]!))).toBe('m5');
    expect(text(receiver.decrypt(sealed.at(-2)!))).toBe(`m${sealed.length - 2}`);
  });

  it('state survives export and import, skipped keys included', () => {
    const { alice, chain, receiver } = setup(3);
    const m = [send(chain, 'a'), send(chain, 'b'), send(chain, 'c')];
    expect(text(receiver.decrypt(m[2]!))).toBe('c');
    const restored = SenderKeyReceiver.importState(receiver.exportState());
    const restoredChain = SenderKeyChain.importState(chain.exportState(), alice.dk);
    if (!restored.ok || !restoredChain.ok) throw new Error('import failed');
    expect(restoredChain.value.nextIndex).toBe(3);
    expect(text(restored.value.decrypt(m[0]!))).toBe('a');
    expect(restored.value.decrypt(m[2]!)).toEqual({ ok: false, code: 'SK_REPLAY' });
    expect(text(restored.value.decrypt(send(restoredChain.value, 'd')))).toBe('d');
    expect(SenderKeyChain.importState(chain.exportState(), makeDevice().dk)).toEqual({
      ok: false,
      code: 'SK_STATE_INVALID',
    });
  });

  it('rejects malformed state and messages without throwing', () => {
    const { receiver } = setup();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (junk) => {
        expect(SenderKeyReceiver.importState(junk).ok).toBe(false);
        expect(receiver.decrypt(junk).ok).toBe(false);
        expect(verifyDistribution(junk).ok).toBe(false);
        expect(peekSenderKeyHeader(junk)).toBeNull();
      }),
      { numRuns: 100 },
    );
  });

  it('a distribution is signed: a changed chain key or index is rejected', () => {
    const { alice, chain } = setup();
    const dist = chain.distribution();
    fc.assert(
      fc.property(fc.nat(), (bit) => {
        expect(verifyDistribution(flipBit(dist, bit % (dist.length * 8))).ok).toBe(false);
      }),
      { numRuns: 60 },
    );
    expect(verifyDistribution(dist, { dkPk: makeDevice().dk.publicKey })).toEqual({
      ok: false,
      code: 'SK_WRONG_SENDER',
    });
    expect(verifyDistribution(dist, { room: 'room:other' })).toEqual({
      ok: false,
      code: 'SK_WRONG_CHAIN',
    });
    const ok = verifyDistribution(dist, { dkPk: alice.dk.publicKey });
    expect(ok.ok && toHex(ok.value.dkPk)).toBe(toHex(alice.dk.publicKey));
  });

  it('exposes the routing header of a message', () => {
    const { alice, chain } = setup(9);
    const h = peekSenderKeyHeader(chain.encrypt(utf8('x'), { msgId: 'evt-1', ts: NOW }));
    expect(h && { room: h.room, epoch: h.epoch, n: h.n, msgId: h.msgId, ts: h.ts }).toEqual({
      room: ROOM,
      epoch: 9,
      n: 0,
      msgId: 'evt-1',
      ts: NOW,
    });
    expect(h && toHex(h.dkPk)).toBe(toHex(alice.dk.publicKey));
  });
});

describe('epoch rotation', () => {
  const day = 24 * 60 * 60 * 1000;
  it('rotates on leave, kick, ban and device revocation, but not on join', () => {
    for (const event of ['leave', 'kick', 'ban', 'device-revoked'] as const) {
      expect(shouldRotateEpoch({ messagesSent: 0, epochStartedAtMs: NOW, nowMs: NOW, event })).toBe(
        true,
      );
    }
    expect(
      shouldRotateEpoch({ messagesSent: 0, epochStartedAtMs: NOW, nowMs: NOW, event: 'join' }),
    ).toBe(false);
  });

  it('rotates every 100 messages or 7 days', () => {
    expect(shouldRotateEpoch({ messagesSent: 99, epochStartedAtMs: NOW, nowMs: NOW })).toBe(false);
    expect(shouldRotateEpoch({ messagesSent: 100, epochStartedAtMs: NOW, nowMs: NOW })).toBe(true);
    expect(
      shouldRotateEpoch({ messagesSent: 0, epochStartedAtMs: NOW, nowMs: NOW + 7 * day - 1 }),
    ).toBe(false);
    expect(
      shouldRotateEpoch({ messagesSent: 0, epochStartedAtMs: NOW, nowMs: NOW + 7 * day }),
    ).toBe(true);
  });
});
