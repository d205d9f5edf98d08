/**
 * Who we believe each user is (CRYPTO.md "Pinning and verification"). The
 * first identity key seen for a user is pinned (trust on first use). A later,
 * different key puts the user in `changed`: sending to them is blocked and
 * the UI shows a warning until the person accepts the new key — the relay
 * may be lying, or they may have a new identity; only people can tell. A
 * safety-number check moves a pinned key to `verified`; accepting a change
 * drops verification, since the new key has not been checked.
 */
import { fromB64 } from '../../shared/crypto/encoding.ts';
import { Emitter } from './emitter.ts';

export type TrustState = 'pinned' | 'verified' | 'changed';

export interface PinRecord {
  userId: string;
  username: string;
  /** The pinned identity key, base64url. */
  ik: string;
  state: TrustState;
  firstSeenMs: number;
  verifiedAtMs?: number;
  /** While `changed`: the key that was presented instead of the pinned one. */
  presentedIk?: string;
}

/** Where pins live: the encrypted history kv store in the app, memory in tests. */
export interface PinStorage {
  loadAll(): Promise<PinRecord[]>;
  save(record: PinRecord): Promise<void>;
}

export type ObserveResult = 'pinned-now' | 'match' | 'changed';

export type TrustEvents = {
  /** A pin was created or its state changed. */
  change: [record: PinRecord];
};

export class TrustStore {
  readonly events = new Emitter<TrustEvents>();
  readonly #pins = new Map<string, PinRecord>();
  readonly #storage: PinStorage;
  readonly #now: () => number;

  private constructor(storage: PinStorage, now: () => number) {
    this.#storage = storage;
    this.#now = now;
  }

  static async open(storage: PinStorage, now: () => number = Date.now): Promise<TrustStore> {
    const store = new TrustStore(storage, now);
    for (const record of await storage.loadAll()) store.#pins.set(record.userId, record);
    return store;
  }

  get(userId: string): PinRecord | undefined {
    return this.#pins.get(userId);
  }

  all(): PinRecord[] {
    return [...this.#pins.values()];
  }

  /** The user pinned to this identity key (base64url), if any. */
  userIdForIk(ik: string): string | undefined {
    for (const pin of this.#pins.values()) if (pin.ik === ik) return pin.userId;
    return undefined;
  }

  /** The key to hold a link handshake to (expectedIk), if we have one. */
  expectedIk(userId: string): Uint8Array | undefined {
    const pin = this.#pins.get(userId);
    return pin ? fromB64(pin.ik) : undefined;
  }

  /** Sending to a user whose key changed waits for the person to decide. */
  canSendTo(userId: string): boolean {
    return this.#pins.get(userId)?.state !== 'changed';
  }

  /**
   * Records an identity key seen for a user — from the relay's key directory
   * or from a link handshake. Pins it on first sight; flags any other key.
   */
  async observe(userId: string, username: string, ik: string): Promise<ObserveResult> {
    const pin = this.#pins.get(userId);
    if (!pin) {
      await this.#save({ userId, username, ik, state: 'pinned', firstSeenMs: this.#now() });
      return 'pinned-now';
    }
    if (pin.ik === ik) return 'match';
    if (pin.state !== 'changed' || pin.presentedIk !== ik) {
      const { verifiedAtMs: _dropped, ...rest } = pin;
      await this.#save({ ...rest, state: 'changed', presentedIk: ik });
    }
    return 'changed';
  }

  /** The person accepted the new key: it becomes the pin, unverified. */
  async acceptChange(userId: string): Promise<void> {
    const pin = this.#pins.get(userId);
    if (pin?.state !== 'changed' || !pin.presentedIk) {
      throw new Error(`parley/trust: no pending key change for ${userId}`);
    }
    await this.#save({
      userId: pin.userId,
      username: pin.username,
      ik: pin.presentedIk,
      state: 'pinned',
      firstSeenMs: this.#now(),
    });
  }

  /**
   * The safety number was compared and matched for this key. Refused when
   * the key is not the pinned one (what was compared is not what we trust).
   */
  async markVerified(userId: string, ik: string): Promise<void> {
    const pin = this.#pins.get(userId);
    if (!pin || pin.ik !== ik || pin.state === 'changed') {
      throw new Error(`parley/trust: ${userId} is not pinned to that key`);
    }
    await this.#save({ ...pin, state: 'verified', verifiedAtMs: this.#now() });
  }

  async unverify(userId: string): Promise<void> {
    const pin = this.#pins.get(userId);
    if (pin?.state !== 'verified') return;
    const { verifiedAtMs: _dropped, ...rest } = pin;
    await this.#save({ ...rest, state: 'pinned' });
  }

  async #save(record: PinRecord): Promise<void> {
    await this.#storage.save(record);
    this.#pins.set(record.userId, record);
    this.events.emit('change', record);
  }
}

/** Pins in memory only (tests, or a session that must not persist). */
export function memoryPinStorage(initial: PinRecord[] = []): PinStorage & { saved: PinRecord[] } {
  const saved = [...initial];
  return {
    saved,
    async loadAll() {
      return [...saved];
    },
    async save(record) {
      const i = saved.findIndex((r) => r.userId === record.userId);
      if (i >= 0) saved[i] = record;
      else saved.push(record);
    },
  };
}
