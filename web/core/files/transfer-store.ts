/**
 * Incoming transfers that must survive a reload, in the encrypted history kv
 * store: the offer, whom it comes from, and the first segment not yet
 * written (the resume point). One record list per conversation; writes are
 * serialised so a late write never overwrites a newer one.
 */
import { fromUtf8, utf8 } from '../../../shared/crypto/encoding.ts';
import type { HistoryStore } from '../history/history-store.ts';

export interface IncomingRecord {
  fileId: string;
  convId: string;
  fromDevice: string;
  /** base64url of the encoded offer, as in the event. */
  offer: string;
  nextSegment: number;
  state: 'offered' | 'accepted' | 'paused';
}

const keyOf = (convId: string) => `files/in/${convId}`;

export class TransferStore {
  readonly #history: HistoryStore;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(history: HistoryStore) {
    this.#history = history;
  }

  async load(convId: string): Promise<IncomingRecord[]> {
    await this.#chain.catch(() => undefined);
    const raw = await this.#history.kvGet(keyOf(convId));
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(fromUtf8(raw));
      return Array.isArray(parsed) ? (parsed as IncomingRecord[]) : [];
    } catch {
      return [];
    }
  }

  /** Saves this conversation's unfinished incoming transfers (replacing the list). */
  save(convId: string, records: IncomingRecord[]): Promise<void> {
    const write = this.#chain
      .catch(() => undefined)
      .then(() =>
        records.length
          ? this.#history.kvPut(keyOf(convId), utf8(JSON.stringify(records)))
          : this.#history.kvDelete(keyOf(convId)),
      );
    this.#chain = write;
    return write;
  }
}
