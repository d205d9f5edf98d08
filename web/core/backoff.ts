/**
 * Reconnect delays: exponential from `initialMs` to `maxMs`, with "equal
 * jitter" (half the bound fixed, half drawn at random) so that a relay
 * restart does not bring every client back in the same millisecond, and no
 * client ever retries instantly.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export const BACKOFF_DEFAULTS = { initialMs: 500, maxMs: 10_000, factor: 2 } as const;

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Injectable for tests; Math.random otherwise. */
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.#initialMs = opts.initialMs ?? BACKOFF_DEFAULTS.initialMs;
    this.#maxMs = opts.maxMs ?? BACKOFF_DEFAULTS.maxMs;
    this.#factor = opts.factor ?? BACKOFF_DEFAULTS.factor;
    this.#random = opts.random ?? Math.random;
    if (this.#initialMs <= 0 || this.#maxMs < this.#initialMs) {
      throw new RangeError('parley/backoff: need 0 < initialMs <= maxMs');
    }
  }

  /** The next delay; grows until reset(). Never below half the current bound. */
  next(): number {
    const bound = Math.min(this.#maxMs, this.#initialMs * this.#factor ** this.#attempt);
    this.#attempt++;
    return Math.round(bound / 2 + (this.#random() * bound) / 2);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
