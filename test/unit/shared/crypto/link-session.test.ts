import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINK } from '../../../../shared/crypto/constants.ts';
import { toHex } from '../../../../shared/crypto/encoding.ts';
import {
  LinkReceiver,
  LinkSender,
  LinkSession,
  type LinkSessionOptions,
} from '../../../../shared/crypto/link-session.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { flipBit } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

/** One direction: what A seals, B opens. */
function pipe(options: LinkSessionOptions = {}) {
  const key = sodium().crypto_kdf_keygen();
  const sender = new LinkSender(key.slice(), options);
  const receiver = LinkReceiver.create(key.slice(), sender.header, options);
  if (!receiver) throw new Error('receiver not created');
  return { sender, receiver, key };
}

function frames(n: number, sender: LinkSender): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => sender.seal(Uint8Array.of(i & 0xff, i >> 8)));
}

const payloads = fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 2, maxLength: 12 });

describe('link session', () => {
  it('delivers every frame in order, both directions', () => {
    fc.assert(
      fc.property(payloads, payloads, (toB, toA) => {
        const ab = pipe();
        const ba = pipe();
        const a = new LinkSession(ab.sender, ba.receiver);
        const b = new LinkSession(ba.sender, ab.receiver);
        for (const p of toB) {
          const r = b.open(a.seal(p));
          expect(r.ok && toHex(r.value.plaintext)).toBe(toHex(p));
        }
        for (const p of toA) {
          const r = a.open(b.seal(p));
          expect(r.ok && toHex(r.value.plaintext)).toBe(toHex(p));
        }
        expect(a.framesSent).toBe(toB.length);
        expect(b.framesReceived).toBe(toB.length);
      }),
      { numRuns: 20 },
    );
  });

  it('zeroes the traffic key it was given', () => {
    const key = sodium().crypto_kdf_keygen();
    const sender = new LinkSender(key);
    expect(key.every((b) => b === 0)).toBe(true);
    sender.destroy();
  });

  it('rejects a frame with any bit flipped, and then fails closed', () => {
    fc.assert(
      fc.property(payloads, fc.nat(), fc.nat(), (ps, which, bit) => {
        const { sender, receiver } = pipe();
        const sealed = ps.map((p) => sender.seal(p));
        const k = which % sealed.length;
        for (let i = 0; i < k; i++) expect(receiver.open(sealed[i]!).ok).toBe(true);
        const bad = flipBit(sealed[k]!, bit % (sealed[k]!.length * 8));
        expect(receiver.open(bad)).toEqual({ ok: false, code: 'LINK_DECRYPT_FAILED' });
        expect(receiver.open(sealed[k]!)).toEqual({ ok: false, code: 'LINK_FAILED' });
      }),
      { numRuns: 40 },
    );
  });

  it('detects a dropped frame', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.nat(), (n, at) => {
        const { sender, receiver } = pipe();
        const sealed = frames(n, sender);
        const drop = at % (n - 1);
        for (let i = 0; i < drop; i++) expect(receiver.open(sealed[i]!).ok).toBe(true);
        expect(receiver.open(sealed[drop + 1]!).ok).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('detects reordered frames', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.nat(), (n, at) => {
        const { sender, receiver } = pipe();
        const sealed = frames(n, sender);
        const i = at % (n - 1);
        for (let j = 0; j < i; j++) expect(receiver.open(sealed[j]!).ok).toBe(true);
        expect(receiver.open(sealed[i + 1]!).ok).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('detects a replayed frame', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.nat(), (n, at) => {
        const { sender, receiver } = pipe();
        const sealed = frames(n, sender);
        const i = at % n;
        for (let j = 0; j <= i; j++) expect(receiver.open(sealed[j]!).ok).toBe(true);
        expect(receiver.open(sealed[i]!)).toEqual({ ok: false, code: 'LINK_DECRYPT_FAILED' });
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a frame from another session (same plaintexts, different key)', () => {
    const one = pipe();
    const two = pipe();
    expect(two.receiver.open(one.sender.seal(Uint8Array.of(1))).ok).toBe(false);
  });

  it('tells a clean close (FINAL) from a truncated stream', () => {
    const { sender, receiver } = pipe();
    const sealed = frames(3, sender);
    for (const f of sealed) expect(receiver.open(f).ok).toBe(true);
    expect(receiver.endedCleanly).toBe(false);
    const last = sender.close();
    expect(last).not.toBeNull();
    expect(sender.close()).toBeNull();
    const r = receiver.open(last!);
    expect(r.ok && r.value.final).toBe(true);
    expect(receiver.endedCleanly).toBe(true);
    expect(receiver.open(sealed[0]!)).toEqual({ ok: false, code: 'LINK_CLOSED' });
  });

  it('refuses to seal after close and to open after close', () => {
    const ab = pipe();
    const ba = pipe();
    const session = new LinkSession(ab.sender, ba.receiver);
    const f = ba.sender.seal(Uint8Array.of(1));
    expect(session.close()).not.toBeNull();
    expect(() => session.seal(Uint8Array.of(1))).toThrow();
    expect(session.open(f)).toEqual({ ok: false, code: 'LINK_CLOSED' });
  });

  it('rejects short and oversized frames without touching the stream', () => {
    const { sender, receiver } = pipe({ maxFrameBytes: 1024 });
    expect(receiver.open(new Uint8Array(5))).toEqual({ ok: false, code: 'LINK_MALFORMED' });
    const small = pipe({ maxFrameBytes: 1024 });
    const big = pipe({ maxFrameBytes: 4096 });
    const key = sodium().crypto_kdf_keygen();
    const bigSender = new LinkSender(key.slice(), { maxFrameBytes: 4096 });
    const smallReceiver = LinkReceiver.create(key, bigSender.header, { maxFrameBytes: 1024 });
    expect(smallReceiver?.open(bigSender.seal(new Uint8Array(2000)))).toEqual({
      ok: false,
      code: 'LINK_FRAME_TOO_LARGE',
    });
    expect(() => small.sender.seal(new Uint8Array(1024 - 16))).toThrow(RangeError);
    expect(small.receiver.open(small.sender.seal(new Uint8Array(1024 - 17))).ok).toBe(true);
    big.sender.destroy();
    sender.destroy();
  });

  it('pushes TAG_REKEY every interval and keeps decrypting across the boundary', () => {
    const interval = 4;
    const { sender, receiver, key } = pipe({ rekeyIntervalFrames: interval });
    const observer = sodium().crypto_secretstream_xchacha20poly1305_init_pull(sender.header, key);
    for (let i = 1; i <= 3 * interval + 2; i++) {
      const f = sender.seal(Uint8Array.of(i));
      const seen = sodium().crypto_secretstream_xchacha20poly1305_pull(observer, f, null);
      if (!seen) throw new Error('observer failed');
      const rekey = sodium().crypto_secretstream_xchacha20poly1305_TAG_REKEY;
      expect(seen.tag === rekey).toBe(i % interval === 0);
      const r = receiver.open(f);
      expect(r.ok && r.value.plaintext[0]).toBe(i);
    }
  });

  it('crosses the real 2^16-frame rekey boundary', () => {
    const { sender, receiver } = pipe();
    const empty = new Uint8Array(0);
    for (let i = 0; i < LINK.rekeyIntervalFrames + 3; i++) {
      const r = receiver.open(sender.seal(empty));
      if (!r.ok) throw new Error(`frame ${i} failed: ${r.code}`);
    }
    expect(receiver.framesReceived).toBe(LINK.rekeyIntervalFrames + 3);
  });
});
