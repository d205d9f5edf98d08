/**
 * Transfers that must survive a reload, in the encrypted history kv store.
 * Incoming: the offer, whom it comes from, and the first segment not yet
 * written (the resume point). Outgoing: this device's offers (with their
 * file keys: the store is encrypted at rest), what reopens each source, and
 * which devices have not finished fetching it. One record list per
 * conversation and direction; writes are serialised so a late write never
 * overwrites a newer one.
 */
import { fromUtf8, utf8 } from '../../../shared/crypto/encoding.ts';
import type { HistoryStore } from '../history/history-store.ts';
import type { FileSourceRef } from './file-io.ts';

export interface IncomingRecord {
  fileId: string;
  convId: string;
  fromDevice: string;
  /** base64url of the encoded offer, as in the event. */
  offer: string;
  nextSegment: number;
  state: 'offered' | 'accepted' | 'paused';
}

export interface OutgoingRecord {
  fileId: string;
  /** base64url of the encoded offer, as in the event. */
  offer: string;
  /** What the host's FileSourceStore reopens; null: the person has to pick the file again. */
  source: FileSourceRef | null;
  /** ms since the epoch; offers are served for OUTGOING_KEEP_MS. */
  createdAt: number;
  /** Devices that started fetching and have not finished. */
  pending: string[];
}

const keyOf = (convId: string) => `files/in/${convId}`;
const outKeyOf = (convId: string) => `files/out/${convId}`;

export class TransferStore {
  readonly #history: HistoryStore;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(history: HistoryStore) {
    this.#history = history;
  }

  load(convId: string): Promise<IncomingRecord[]> {
    return this.#load<IncomingRecord>(keyOf(convId));
  }

  /** Saves this conversation's unfinished incoming transfers (replacing the list). */
  save(convId: string, records: IncomingRecord[]): Promise<void> {
    return this.#save(keyOf(convId), records);
  }

  loadOutgoing(convId: string): Promise<OutgoingRecord[]> {
    return this.#load<OutgoingRecord>(outKeyOf(convId));
  }

  /** Saves this conversation's offers still served (replacing the list). */
  saveOutgoing(convId: string, records: OutgoingRecord[]): Promise<void> {
    return this.#save(outKeyOf(convId), records);
  }

  async #load<T>(key: string): Promise<T[]> {
    await this.#chain.catch(() => undefined);
    const raw = await this.#history.kvGet(key);
    if (!raw) return [];
    try {
      const parsed: unknown = JSON.parse(fromUtf8(raw));
      return Array.isArray(parsed) ? (parsed as T[]) : [];
    } catch {
      return [];
    }
  }

  #save(key: string, records: unknown[]): Promise<void> {
    const write = this.#chain
      .catch(() => undefined)
      .then(() =>
        records.length
          ? this.#history.kvPut(key, utf8(JSON.stringify(records)))
          : this.#history.kvDelete(key),
      );
    this.#chain = write;
    return write;
  }
}
