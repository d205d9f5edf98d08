import { beforeAll, describe, expect, it } from 'vitest';
import { RELAY_AUTH } from '../../../../shared/crypto/constants.ts';
import { toHex } from '../../../../shared/crypto/encoding.ts';
import { newDeviceKey } from '../../../../shared/crypto/keys.ts';
import {
  ChallengeBook,
  challengeFromWire,
  challengeToWire,
  signRelayChallenge,
  verifyRelayChallenge,
} from '../../../../shared/crypto/relay-auth.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

const ORIGIN = 'https://relay.example';
const T0 = 1_763_700_000_000;

describe('relay login signature', () => {
  it('a device signs the challenge and the relay verifies it', () => {
    const book = new ChallengeBook();
    const dk = newDeviceKey();
    const challenge = book.issue(T0);
    const sig = signRelayChallenge(ORIGIN, challenge, dk);
    expect(verifyRelayChallenge(ORIGIN, challenge, dk.publicKey, sig)).toBe(true);
    expect(book.consume(challenge, T0 + 1_000)).toBeNull();
  });

  it('a signature made for another relay origin does not log in here', () => {
    const dk = newDeviceKey();
    const challenge = new ChallengeBook().issue(T0);
    const sig = signRelayChallenge('https://evil.example', challenge, dk);
    expect(verifyRelayChallenge(ORIGIN, challenge, dk.publicKey, sig)).toBe(false);
  });

  it('a signature for another nonce, timestamp or key does not verify', () => {
    const book = new ChallengeBook();
    const dk = newDeviceKey();
    const c1 = book.issue(T0);
    const c2 = book.issue(T0);
    const sig = signRelayChallenge(ORIGIN, c1, dk);
    expect(verifyRelayChallenge(ORIGIN, c2, dk.publicKey, sig)).toBe(false);
    expect(verifyRelayChallenge(ORIGIN, { ...c1, ts: c1.ts + 1 }, dk.publicKey, sig)).toBe(false);
    expect(verifyRelayChallenge(ORIGIN, c1, newDeviceKey().publicKey, sig)).toBe(false);
  });

  it('malformed answers are refused, never thrown on', () => {
    const dk = newDeviceKey();
    const challenge = new ChallengeBook().issue(T0);
    const sig = signRelayChallenge(ORIGIN, challenge, dk);
    expect(verifyRelayChallenge(ORIGIN, challenge, dk.publicKey, sig.subarray(1))).toBe(false);
    expect(verifyRelayChallenge(ORIGIN, challenge, new Uint8Array(31), sig)).toBe(false);
    expect(verifyRelayChallenge(ORIGIN, { ...challenge, ts: -5 }, dk.publicKey, sig)).toBe(false);
    expect(verifyRelayChallenge(ORIGIN, { ...challenge, ts: 0.5 }, dk.publicKey, sig)).toBe(false);
  });

  it('the challenge survives its JSON wire form', () => {
    const challenge = new ChallengeBook().issue(T0);
    const back = challengeFromWire(JSON.parse(JSON.stringify(challengeToWire(challenge))));
    expect(back).toEqual(challenge);
  });
});

describe('challenge book', () => {
  it('a challenge can be used once: a replayed answer is refused', () => {
    const book = new ChallengeBook();
    const challenge = book.issue(T0);
    expect(book.consume(challenge, T0 + 10)).toBeNull();
    expect(book.consume(challenge, T0 + 20)).toBe('CHALLENGE_UNKNOWN');
  });

  it('an expired challenge is refused and cannot be retried', () => {
    const book = new ChallengeBook();
    const challenge = book.issue(T0);
    expect(book.consume(challenge, T0 + RELAY_AUTH.challengeTtlMs + 1)).toBe('CHALLENGE_EXPIRED');
    expect(book.consume(challenge, T0)).toBe('CHALLENGE_UNKNOWN');
  });

  it('a challenge answered just within its lifetime is accepted', () => {
    const book = new ChallengeBook();
    const challenge = book.issue(T0);
    expect(book.consume(challenge, T0 + RELAY_AUTH.challengeTtlMs)).toBeNull();
  });

  it('a nonce the relay never issued, or with a changed timestamp, is refused', () => {
    const book = new ChallengeBook();
    const real = book.issue(T0);
    const made = { nonce: new Uint8Array(32).fill(7), ts: T0 };
    expect(book.consume(made, T0 + 1)).toBe('CHALLENGE_UNKNOWN');
    expect(book.consume({ ...real, ts: T0 - 1_000 }, T0 + 1)).toBe('CHALLENGE_UNKNOWN');
  });

  it('nonces are fresh 32-byte values', () => {
    const book = new ChallengeBook();
    const a = book.issue(T0);
    const b = book.issue(T0);
    expect(a.nonce).toHaveLength(32);
    expect(toHex(a.nonce)).not.toBe(toHex(b.nonce));
  });

  it('expired challenges are pruned, and a flood cannot grow the book past its cap', () => {
    const book = new ChallengeBook({ ttlMs: 1_000, maxOutstanding: 3 });
    book.issue(T0);
    book.issue(T0 + 1);
    expect(book.size).toBe(2);
    book.prune(T0 + 5_000);
    expect(book.size).toBe(0);
    const first = book.issue(T0 + 6_000);
    for (let i = 0; i < 10; i++) book.issue(T0 + 6_000);
    expect(book.size).toBe(3);
    // The oldest one was evicted.
    expect(book.consume(first, T0 + 6_001)).toBe('CHALLENGE_UNKNOWN');
  });
});
