/**
 * Holds items that arrived before their recipient exists — a WebRTC offer for
 * a room whose mesh is still starting, a link frame from a device that
 * presence has not announced yet — and hands them over when it appears.
 * Bounded in count per key and in age, because whatever sends them is not
 * trusted: at worst the buffer forgets, it never grows.
 */
export const EARLY_BUFFER_DEFAULTS = { maxPerKey: 64, maxKeys: 256, ttlMs: 10_000 } as const;

export class EarlyBuffer<T> {
  readonly #items = new Map<string, Array<{ at: number; item: T }>>();
  readonly #maxPerKey: number;
  readonly #maxKeys: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(
    opts: { maxPerKey?: number; maxKeys?: number; ttlMs?: number; now?: () => number } = {},
  ) {
    this.#maxPerKey = opts.maxPerKey ?? EARLY_BUFFER_DEFAULTS.maxPerKey;
    this.#maxKeys = opts.maxKeys ?? EARLY_BUFFER_DEFAULTS.maxKeys;
    this.#ttlMs = opts.ttlMs ?? EARLY_BUFFER_DEFAULTS.ttlMs;
    this.#now = opts.now ?? Date.now;
  }

  hold(key: string, item: T): void {
    let list = this.#items.get(key);
    if (!list) {
      if (this.#items.size >= this.#maxKeys) {
        const oldest = this.#items.keys().next().value;
        if (oldest !== undefined) this.#items.delete(oldest);
      }
      list = [];
      this.#items.set(key, list);
    }
    if (list.length >= this.#maxPerKey) list.shift();
    list.push({ at: this.#now(), item });
  }

  /** Everything still fresh for this key, oldest first; the key is emptied. */
  take(key: string): T[] {
    const list = this.#items.get(key);
    if (!list) return [];
    this.#items.delete(key);
    const cutoff = this.#now() - this.#ttlMs;
    return list.filter((e) => e.at >= cutoff).map((e) => e.item);
  }

  clear(): void {
    this.#items.clear();
  }
}
