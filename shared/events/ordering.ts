/**
 * One order for every member: (lamport, ts, id). Lamport clocks make a reply
 * sort after what it answered even when clocks disagree; ts and id only break
 * ties, so every member sorts the same set of events identically.
 */
export interface Orderable {
  lamport: number;
  ts: number;
  id: string;
}

export function compareEvents(a: Orderable, b: Orderable): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport;
  if (a.ts !== b.ts) return a.ts - b.ts;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * A sortable string for the same order, for IndexedDB keys: fixed-width so
 * lexicographic order equals compareEvents order.
 */
export function orderKey(e: Orderable): string {
  return `${e.lamport.toString(36).padStart(11, '0')}.${e.ts.toString(36).padStart(9, '0')}.${e.id}`;
}

/**
 * Upper bound on how far one event may advance our clock. A malicious member
 * could otherwise send lamport 2^53-1 and pin every later message to the end
 * of time.
 */
export const MAX_LAMPORT_JUMP = 1_000_000;

export class LamportClock {
  #value: number;

  constructor(start = 0) {
    this.#value = start;
  }

  get value(): number {
    return this.#value;
  }

  /** The stamp for an event we author now. */
  tick(): number {
    this.#value += 1;
    return this.#value;
  }

  /**
   * Merge a received stamp. Returns false (and does not merge) when it jumps
   * further than MAX_LAMPORT_JUMP ahead: the caller rejects that event.
   */
  observe(stamp: number): boolean {
    if (stamp - this.#value > MAX_LAMPORT_JUMP) return false;
    if (stamp > this.#value) this.#value = stamp;
    return true;
  }
}
