/**
 * What test clients receive, buffered until a test asks for it: an arriving
 * item goes to the first waiter that matches it, or into `items`; asking for
 * an item takes the first buffered match, or waits for one (with a timeout).
 */
type Waiter<T> = { match: (item: T) => boolean; resolve: (item: T) => void };

export class WaitQueue<T> {
  /** Received and not yet taken (tests may read it directly). */
  readonly items: T[] = [];
  #waiters: Waiter<T>[] = [];
  readonly #what: string;

  /** `what` names the items in timeout errors ("a relay message"). */
  constructor(what: string) {
    this.#what = what;
  }

  push(item: T): void {
    const i = this.#waiters.findIndex((w) => w.match(item));
    if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(item);
    else this.items.push(item);
  }

  /** Removes and returns the first item matching, buffered or future. */
  take(match: (item: T) => boolean, timeoutMs: number): Promise<T> {
    const i = this.items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.items.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = { match, resolve: () => {} };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${this.#what}`));
      }, timeoutMs);
      waiter.resolve = (item) => {
        clearTimeout(timer);
        resolve(item);
      };
      this.#waiters.push(waiter);
    });
  }
}
