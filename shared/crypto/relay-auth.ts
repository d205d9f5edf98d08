/**
 * Relay login (CRYPTO.md "Relay login"): the relay issues a single-use 32-byte
 * nonce with its timestamp; the client signs
 * (domain ‖ relayOrigin ‖ nonce ‖ ts ‖ signerPk) with its device key (or, to
 * fetch a password blob, with its password auth key). Binding the origin stops
 * a signature made for one relay being replayed to another.
 *
 * `ChallengeBook` is the relay's nonce set: pure, clock passed in, no timers.
 */
import { DOMAIN, RELAY_AUTH, SIZES } from './constants.ts';
import { frame, fromB64, isWellFormedText, toB64 } from './encoding.ts';
import { randomBytes } from './random.ts';
import { sodium } from './sodium.ts';

export interface Challenge {
  nonce: Uint8Array;
  /** ms since epoch, the relay's clock. */
  ts: number;
}

export type ChallengeError = 'CHALLENGE_UNKNOWN' | 'CHALLENGE_EXPIRED' | 'CHALLENGE_SKEW';

export function relayAuthMessage(
  origin: string,
  challenge: Challenge,
  signerPk: Uint8Array,
): Uint8Array {
  return frame(DOMAIN.relayAuth, origin, challenge.nonce, challenge.ts, signerPk);
}

export function signRelayChallenge(
  origin: string,
  challenge: Challenge,
  signer: { publicKey: Uint8Array; privateKey: Uint8Array },
): Uint8Array {
  return sodium().crypto_sign_detached(
    relayAuthMessage(origin, challenge, signer.publicKey),
    signer.privateKey,
  );
}

export function verifyRelayChallenge(
  origin: string,
  challenge: Challenge,
  signerPk: Uint8Array,
  sig: Uint8Array,
): boolean {
  if (signerPk.length !== SIZES.publicKeyBytes || sig.length !== SIZES.signatureBytes) return false;
  // frame() throws on what it cannot encode; a bad answer is refused, not a crash.
  if (!Number.isSafeInteger(challenge.ts) || challenge.ts < 0) return false;
  if (!(challenge.nonce instanceof Uint8Array) || !isWellFormedText(origin)) return false;
  return sodium().crypto_sign_verify_detached(
    sig,
    relayAuthMessage(origin, challenge, signerPk),
    signerPk,
  );
}

/**
 * Outstanding challenges, keyed by nonce. A nonce verifies at most once
 * (`consume` deletes it), and only within `ttlMs` of issue. Expired entries
 * are pruned on every issue, so the set stays bounded by the issue rate.
 */
export class ChallengeBook {
  readonly #issued = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #maxOutstanding: number;

  constructor(opts: { ttlMs?: number; maxOutstanding?: number } = {}) {
    this.#ttlMs = opts.ttlMs ?? RELAY_AUTH.challengeTtlMs;
    this.#maxOutstanding = opts.maxOutstanding ?? 100_000;
  }

  issue(nowMs: number): Challenge {
    this.prune(nowMs);
    if (this.#issued.size >= this.#maxOutstanding) {
      // Oldest first (Map keeps insertion order): a flood of unanswered
      // challenges evicts itself, not memory.
      const oldest = this.#issued.keys().next().value;
      if (oldest !== undefined) this.#issued.delete(oldest);
    }
    const nonce = randomBytes(SIZES.challengeNonceBytes);
    this.#issued.set(toB64(nonce), nowMs);
    return { nonce, ts: nowMs };
  }

  /**
   * Marks the challenge used. Returns null when it was outstanding and fresh,
   * else why not. A consumed nonce can never verify again.
   */
  consume(challenge: Challenge, nowMs: number): ChallengeError | null {
    const key = toB64(challenge.nonce);
    const issuedAt = this.#issued.get(key);
    if (issuedAt === undefined) return 'CHALLENGE_UNKNOWN';
    this.#issued.delete(key);
    if (issuedAt !== challenge.ts) return 'CHALLENGE_UNKNOWN';
    if (nowMs - issuedAt > this.#ttlMs) return 'CHALLENGE_EXPIRED';
    if (Math.abs(nowMs - challenge.ts) > RELAY_AUTH.clockSkewMs) return 'CHALLENGE_SKEW';
    return null;
  }

  prune(nowMs: number): void {
    for (const [key, issuedAt] of this.#issued) {
      if (nowMs - issuedAt <= this.#ttlMs) break;
      this.#issued.delete(key);
    }
  }

  get size(): number {
    return this.#issued.size;
  }
}

export function challengeToWire(c: Challenge): { nonce: string; ts: number } {
  return { nonce: toB64(c.nonce), ts: c.ts };
}

export function challengeFromWire(w: { nonce: string; ts: number }): Challenge {
  return { nonce: fromB64(w.nonce), ts: w.ts };
}
