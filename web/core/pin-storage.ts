/**
 * Where the trust store keeps its pins: one record per user in the
 * encrypted history kv store, so pins are as private at rest as messages.
 */
import { fromUtf8, utf8 } from '../../shared/crypto/encoding.ts';
import type { HistoryStore } from './history/history-store.ts';
import type { PinRecord, PinStorage } from './trust.ts';

const PINS_KEY = 'engine/pins';

/** Trust pins kept in the encrypted history kv store. */
export function kvPinStorage(history: HistoryStore): PinStorage {
  const load = async (): Promise<PinRecord[]> => {
    const raw = await history.kvGet(PINS_KEY);
    return raw ? (JSON.parse(fromUtf8(raw)) as PinRecord[]) : [];
  };
  return {
    loadAll: load,
    async save(record) {
      const all = (await load()).filter((r) => r.userId !== record.userId);
      await history.kvPut(PINS_KEY, utf8(JSON.stringify([...all, record])));
    },
  };
}
