/**
 * Nothing is lost (ARCHITECTURE.md principle 3): every event we author is
 * stored, then sent, then resent until each recipient device has acked it.
 * The outbox holds signed events (not ciphertext), so a resend after a
 * reload or an epoch change is simply encrypted again; receivers de-duplicate
 * by event id. Entries live in the encrypted history store and survive reloads.
 */
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import type { SignedEvent } from '../../shared/events/signed-event.ts';
import { Emitter } from './emitter.ts';
import type { OutboxEntry } from './history/engine-records.ts';

export type { OutboxEntry };

/** What one device's ack changed (see `takeAcks`). */
export interface OutboxAcks {
  /** Entries the device now has. */
  delivered: OutboxEntry[];
  /** Still waiting for other devices: to rewrite. */
  put: OutboxEntry[];
  /** Every device has them: to delete. */
  remove: OutboxEntry[];
}

/** What the history store provides (HistoryStore implements it). */
export interface OutboxStorage {
  putOutbox(entry: OutboxEntry): Promise<void>;
  listOutbox(convId?: string): Promise<OutboxEntry[]>;
  removeOutbox(convId: string, event: ChatEvent): Promise<void>;
}

export type OutboxEvents = {
  /** One device stored the event. */
  delivered: [convId: string, eventId: string, deviceId: string];
  /** Every recipient device has it; the entry is gone. */
  complete: [convId: string, eventId: string];
};

export class Outbox {
  readonly events = new Emitter<OutboxEvents>();
  readonly #entries = new Map<string, OutboxEntry>();
  readonly #storage: OutboxStorage;
  readonly #now: () => number;

  private constructor(storage: OutboxStorage, now: () => number) {
    this.#storage = storage;
    this.#now = now;
  }

  /** Loads what was pending before a reload. */
  static async open(storage: OutboxStorage, now: () => number = Date.now): Promise<Outbox> {
    const outbox = new Outbox(storage, now);
    for (const entry of await storage.listOutbox()) outbox.#entries.set(entry.event.id, entry);
    return outbox;
  }

  /** Stored before it is sent: a crash between the two loses nothing. */
  async add(
    convId: string,
    signed: SignedEvent,
    event: ChatEvent,
    recipients: string[],
  ): Promise<void> {
    const entry = this.entryFor(convId, signed, event, recipients);
    if (!entry) return;
    await this.#storage.putOutbox(entry);
    this.track(entry);
  }

  /**
   * The entry for an event about to be stored, for a caller that writes it
   * in the event's own transaction (HistoryStore.addOwnEvent) and then calls
   * `track`; undefined when no device waits for the event.
   */
  entryFor(
    convId: string,
    signed: SignedEvent,
    event: ChatEvent,
    recipients: string[],
  ): OutboxEntry | undefined {
    const awaiting = [...new Set(recipients)];
    if (awaiting.length === 0) return undefined;
    return { convId, signed, event, awaiting, attempts: 0, nextAttemptAt: this.#now() };
  }

  /** An entry from `entryFor` is stored: wait for its acks from now on. */
  track(entry: OutboxEntry): void {
    this.#entries.set(entry.event.id, entry);
  }

  /** Whether an entry still waits for some device (false once complete, dropped or forgotten). */
  tracks(id: string): boolean {
    return this.#entries.has(id);
  }

  /** Whether entries persist in `storage` (so its transactions may write them). */
  persistsIn(storage: object): boolean {
    return this.#storage === storage;
  }

  /** Entries a device still needs, oldest first (resend when its link opens). */
  pendingFor(convId: string, deviceId: string): OutboxEntry[] {
    return [...this.#entries.values()]
      .filter((e) => e.convId === convId && e.awaiting.includes(deviceId))
      .sort((a, b) => a.event.lamport - b.event.lamport || a.event.ts - b.event.ts);
  }

  pending(convId?: string): OutboxEntry[] {
    return [...this.#entries.values()].filter((e) => !convId || e.convId === convId);
  }

  /** A device acked these ids; ids that are not ours or not awaited are ignored. */
  async acked(deviceId: string, ids: string[]): Promise<void> {
    const acks = this.takeAcks(deviceId, ids);
    for (const entry of acks.remove) await this.#storage.removeOutbox(entry.convId, entry.event);
    for (const entry of acks.put) await this.#storage.putOutbox(entry);
    this.acksStored(deviceId, acks);
  }

  /**
   * The in-memory half of `acked`, for a caller that writes the outbox in
   * its own transaction (HistoryStore.recordAcks) and then calls
   * `acksStored`: entries this device now has stop waiting for it at once.
   */
  takeAcks(deviceId: string, ids: readonly string[]): OutboxAcks {
    const acks: OutboxAcks = { delivered: [], put: [], remove: [] };
    for (const id of new Set(ids)) {
      const entry = this.#entries.get(id);
      if (!entry?.awaiting.includes(deviceId)) continue;
      entry.awaiting = entry.awaiting.filter((d) => d !== deviceId);
      acks.delivered.push(entry);
      if (entry.awaiting.length === 0) {
        this.#entries.delete(id);
        acks.remove.push(entry);
      } else {
        acks.put.push(entry);
      }
    }
    return acks;
  }

  /** The writes from `takeAcks` landed: tell listeners. */
  acksStored(deviceId: string, acks: OutboxAcks): void {
    for (const entry of acks.delivered) {
      this.events.emit('delivered', entry.convId, entry.event.id, deviceId);
    }
    for (const entry of acks.remove) this.events.emit('complete', entry.convId, entry.event.id);
  }

  /** Gives up on an entry (the send was refused): it will not be resent. */
  async drop(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    await this.#storage.removeOutbox(entry.convId, entry.event);
  }

  /** Records a send attempt (for the UI's "still sending" and for backoff). */
  async attempted(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry) return;
    entry.attempts++;
    entry.nextAttemptAt = this.#now() + Math.min(60_000, 1_000 * 2 ** Math.min(entry.attempts, 6));
    await this.#storage.putOutbox(entry);
  }

  /**
   * A device left for good (removed member, revoked device): stop waiting
   * for it, without claiming it received anything.
   */
  async forget(deviceId: string): Promise<void> {
    for (const entry of [...this.#entries.values()]) {
      await this.#stopAwaiting(entry.event.id, deviceId, false);
    }
  }

  async #stopAwaiting(id: string, deviceId: string, delivered: boolean): Promise<void> {
    const entry = this.#entries.get(id);
    if (!entry?.awaiting.includes(deviceId)) return;
    entry.awaiting = entry.awaiting.filter((d) => d !== deviceId);
    if (delivered) this.events.emit('delivered', entry.convId, id, deviceId);
    if (entry.awaiting.length === 0) {
      this.#entries.delete(id);
      await this.#storage.removeOutbox(entry.convId, entry.event);
      this.events.emit('complete', entry.convId, id);
    } else {
      await this.#storage.putOutbox(entry);
    }
  }
}

/** Outbox storage in memory (tests, or a session that must not persist). */
export function memoryOutboxStorage(): OutboxStorage {
  const entries = new Map<string, OutboxEntry>();
  return {
    async putOutbox(entry) {
      entries.set(entry.event.id, structuredClone(entry));
    },
    async listOutbox(convId) {
      return [...entries.values()]
        .filter((e) => !convId || e.convId === convId)
        .map((e) => structuredClone(e));
    },
    async removeOutbox(_convId, event) {
      entries.delete(event.id);
    },
  };
}
