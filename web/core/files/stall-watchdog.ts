/**
 * Notices a sender that went quiet with its link still open (stuck
 * mid-segment, a bug, a peer that stopped reading its source): while data is
 * expected, `timeoutMs` without any activity calls `onStall(attempt)`, which
 * asks again; `retries` such tries without new ground in between call
 * `onGiveUp` instead. One timer per transfer, re-armed lazily, so the
 * per-chunk cost is writing a timestamp.
 */

export interface StallPolicy {
  timeoutMs: number;
  retries: number;
}

export class StallWatchdog {
  readonly #policy: StallPolicy;
  readonly #onStall: (attempt: number) => void;
  readonly #onGiveUp: () => void;
  /** Data is expected (asked, not paused, the sender not waiting). */
  #watching = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #lastActivityAt = 0;
  #tries = 0;

  constructor(policy: StallPolicy, onStall: (attempt: number) => void, onGiveUp: () => void) {
    this.#policy = policy;
    this.#onStall = onStall;
    this.#onGiveUp = onGiveUp;
  }

  /** Data is expected from now on. */
  watch(): void {
    this.#watching = true;
    this.#lastActivityAt = Date.now();
    this.#arm(this.#policy.timeoutMs);
  }

  /** Silence is expected (paused, the sender cannot read the file yet, link lost, done). */
  unwatch(): void {
    this.#watching = false;
    this.#tries = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Something arrived or was written: not quiet. */
  activity(): void {
    this.#lastActivityAt = Date.now();
  }

  /** New ground (a chunk never received before in this run): the tries start over. */
  progress(): void {
    this.#lastActivityAt = Date.now();
    this.#tries = 0;
  }

  #arm(ms: number): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#check();
    }, ms);
  }

  #check(): void {
    if (!this.#watching) return;
    const quietMs = Date.now() - this.#lastActivityAt;
    if (quietMs < this.#policy.timeoutMs) {
      this.#arm(this.#policy.timeoutMs - quietMs);
      return;
    }
    this.#tries += 1;
    if (this.#tries > this.#policy.retries) {
      this.unwatch();
      this.#onGiveUp();
      return;
    }
    // The stall handler asks again, which calls watch() and re-arms.
    this.#onStall(this.#tries);
  }
}
