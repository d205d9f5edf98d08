/**
 * The mesh cap as a hard limit on data channels, not only a topology wish.
 * mesh-topology.ts picks direct pairs from each device's own view of
 * presence; while a room fills up, two views differ and links made under an
 * older view stay, so a device could end up past the cap (9 and more with a
 * cap of 8, seen in a room of 32 joining at once). Here every data channel a
 * device holds or is opening counts, whoever started it: a new one is started
 * or answered only below the cap, else the pair uses the relay path (FULL in
 * mesh-signals.ts) and a later upgrade may try again.
 */

/** Refused attempt ids remembered so each is answered once (12 chars each). */
const MAX_REFUSED_ATTEMPTS = 128;

export interface DirectBudgetOptions {
  cap: number;
  /** Data channels held or being opened, to devices other than this one. */
  channelsExcept(deviceId: string): number;
  /** Answer this attempt with FULL. */
  refuse(deviceId: string, attempt: string): void;
}

export class DirectBudget {
  readonly #opts: DirectBudgetOptions;
  /** Attempts answered with FULL (bounded; oldest forgotten first). */
  readonly #refused = new Set<string>();

  constructor(opts: DirectBudgetOptions) {
    this.#opts = opts;
  }

  /** One more data channel, to this device, stays within the cap. */
  hasRoom(deviceId: string): boolean {
    return this.#opts.channelsExcept(deviceId) < this.#opts.cap;
  }

  /**
   * Whether to answer a new data-channel attempt (or upgrade) from this
   * device. Refused with FULL once; its further signals (candidates may come
   * before or after the offer) are then dropped, not answered again.
   */
  admit(deviceId: string, attempt: string): boolean {
    if (this.#refused.has(attempt)) return false;
    if (this.hasRoom(deviceId)) return true;
    if (this.#refused.size >= MAX_REFUSED_ATTEMPTS) {
      const oldest = this.#refused.values().next().value;
      if (oldest !== undefined) this.#refused.delete(oldest);
    }
    this.#refused.add(attempt);
    this.#opts.refuse(deviceId, attempt);
    return false;
  }
}
