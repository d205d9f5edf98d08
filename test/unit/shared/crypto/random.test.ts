/**
 * randomBytes is the platform CSPRNG (WebCrypto getRandomValues) in Node and
 * in the browser, fills any length in getRandomValues' 64 KiB steps, and
 * refuses to run — rather than return weak bytes — where it is missing.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import { makeFileOffer } from '../../../../shared/crypto/files.ts';
import { Handshake } from '../../../../shared/crypto/handshake.ts';
import { newIdentitySeed } from '../../../../shared/crypto/keys.ts';
import { randomBytes } from '../../../../shared/crypto/random.ts';
import { ChallengeBook } from '../../../../shared/crypto/relay-auth.ts';
import { SenderKeyChain } from '../../../../shared/crypto/sender-keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { newEventId } from '../../../../shared/events/signed-event.ts';
import { makeDevice } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

const MAX_PER_CALL = 65_536;

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('randomBytes', () => {
  it('draws from globalThis.crypto.getRandomValues, at most 64 KiB per call', () => {
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const out = randomBytes(3 * MAX_PER_CALL + 5);
    expect(out).toHaveLength(3 * MAX_PER_CALL + 5);
    expect(spy).toHaveBeenCalledTimes(4);
    for (const [array] of spy.mock.calls) {
      expect((array as Uint8Array).byteLength).toBeLessThanOrEqual(MAX_PER_CALL);
    }
    // Every 64 KiB step was filled (an unfilled one would stay all zero).
    for (let at = 0; at < out.length; at += MAX_PER_CALL) {
      expect(out.subarray(at, at + MAX_PER_CALL).some((b) => b !== 0)).toBe(true);
    }
  });

  it('gives fresh, unbiased-looking bytes', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(toHex(a)).not.toBe(toHex(b));
    const big = randomBytes(1 << 16);
    const ones = big.reduce((n, byte) => n + popcount(byte), 0);
    // 524 288 bits: a fair source is within ±0.5 % of half with overwhelming probability.
    expect(Math.abs(ones / (big.length * 8) - 0.5)).toBeLessThan(0.005);
  });

  it('returns an empty array for 0 and refuses nonsense lengths', () => {
    expect(randomBytes(0)).toHaveLength(0);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => randomBytes(bad)).toThrow(RangeError);
    }
  });

  it('fails closed when the platform has no getRandomValues', () => {
    vi.stubGlobal('crypto', undefined);
    expect(() => randomBytes(24)).toThrow(/getRandomValues is unavailable/);
    vi.unstubAllGlobals();
    vi.stubGlobal('crypto', {});
    expect(() => randomBytes(24)).toThrow(/getRandomValues is unavailable/);
  });
});

describe('per-message randomness', () => {
  it('nonces and ids come from randomBytes, not libsodium.js randombytes_buf (~100 µs a call)', () => {
    const dev = makeDevice();
    const bob = makeDevice();
    const chain = SenderKeyChain.create({ room: 'r', epoch: 0, dk: dev.dk, createdAtMs: 0 });
    const slow = vi.spyOn(sodium(), 'randombytes_buf');
    chain.encrypt(utf8('hi'), { msgId: 'm', ts: 1 });
    const { message } = Handshake.initiate({
      context: 'r',
      local: { dk: dev.dk, cert: dev.cert },
      localFingerprint: 'relay',
      remoteFingerprint: 'relay',
    });
    const responder = Handshake.respond({
      context: 'r',
      local: { dk: bob.dk, cert: bob.cert },
      localFingerprint: 'relay',
      remoteFingerprint: 'relay',
    });
    responder.receive(message);
    newEventId();
    makeFileOffer({ name: 'f', mime: 'x/y', size: 1, chunkSize: 16_384 });
    new ChallengeBook().issue(0);
    newIdentitySeed();
    expect(slow).not.toHaveBeenCalled();
  });
});

function popcount(byte: number): number {
  let n = 0;
  for (let b = byte; b; b >>= 1) n += b & 1;
  return n;
}
