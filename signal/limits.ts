/**
 * Per-socket limits that run on every frame. These are synchronous on
 * purpose: rate-limiter-flexible returns a promise per call, and at 100k+
 * frames/s a microtask per frame (plus its allocation) is measurable, while a
 * token bucket is two numbers and a subtraction. Auth attempts, which are
 * rare, use rate-limiter-flexible (auth.ts).
 */

/** Classic token bucket: `ratePerSec` sustained, `burst` at once. */
export class TokenBucket {
  #tokens: number;
  #lastMs: number;
  readonly #ratePerMs: number;
  readonly #burst: number;

  constructor(ratePerSec: number, burst: number, nowMs: number) {
    this.#ratePerMs = ratePerSec / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#lastMs = nowMs;
  }

  take(nowMs: number, cost = 1): boolean {
    const elapsed = nowMs - this.#lastMs;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
      this.#lastMs = nowMs;
    }
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }
}

/**
 * Counts bad frames in a fixed one-minute window. Past the limit the socket
 * is closed with 1008: a client that keeps sending garbage is abusing us,
 * one that slips once is not.
 */
export class ViolationCounter {
  #count = 0;
  #windowStartMs: number;
  readonly #limit: number;
  static readonly windowMs = 60_000;

  constructor(limitPerMin: number, nowMs: number) {
    this.#limit = limitPerMin;
    this.#windowStartMs = nowMs;
  }

  /** Records one; true when the limit is now exceeded. */
  add(nowMs: number): boolean {
    if (nowMs - this.#windowStartMs >= ViolationCounter.windowMs) {
      this.#windowStartMs = nowMs;
      this.#count = 0;
    }
    this.#count += 1;
    return this.#count > this.#limit;
  }
}

/** Counts open sockets per key (client address). */
export class KeyedCounter {
  readonly #counts = new Map<string, number>();

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  inc(key: string): void {
    this.#counts.set(key, this.get(key) + 1);
  }

  dec(key: string): void {
    const n = this.get(key) - 1;
    if (n <= 0) this.#counts.delete(key);
    else this.#counts.set(key, n);
  }
}
