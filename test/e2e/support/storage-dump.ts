/**
 * Everything a page's origin keeps on disk, read raw from inside the page:
 * every IndexedDB database, store, key and value (binary as hex, so bytes of
 * plaintext show up as the hex of their UTF-8), localStorage, and the names
 * in the origin-private file system. What an attacker with the disk (or a
 * malicious extension) would see.
 */
import type { Page } from 'playwright-core';

export interface StorageDump {
  indexedDb: { database: string; store: string; records: number; json: string }[];
  localStorage: string;
  opfsNames: string[];
}

export async function dumpStorage(page: Page): Promise<StorageDump> {
  // Runs in the page: no closures, no imports.
  return page.evaluate(async () => {
    const toHex = (bytes: Uint8Array): string =>
      Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    const serialise = async (value: unknown, depth = 0): Promise<unknown> => {
      if (depth > 32) return '[too deep]';
      if (value === null || value === undefined) return value ?? null;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return value;
      }
      if (typeof value === 'bigint') return `${value}n`;
      if (value instanceof ArrayBuffer) return { hex: toHex(new Uint8Array(value)) };
      if (ArrayBuffer.isView(value)) {
        return {
          hex: toHex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)),
        };
      }
      if (value instanceof Blob) {
        return { blob: toHex(new Uint8Array(await value.arrayBuffer())), type: value.type };
      }
      if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
        return { cryptoKey: value.algorithm, extractable: value.extractable };
      }
      if (value instanceof Date) return value.toISOString();
      if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (const item of value) out.push(await serialise(item, depth + 1));
        return out;
      }
      if (value instanceof Map) {
        const out: unknown[] = [];
        for (const [k, v] of value) {
          out.push([await serialise(k, depth + 1), await serialise(v, depth + 1)]);
        }
        return { map: out };
      }
      if (value instanceof Set) {
        const out: unknown[] = [];
        for (const v of value) out.push(await serialise(v, depth + 1));
        return { set: out };
      }
      if (typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          out[k] = await serialise(v, depth + 1);
        }
        return out;
      }
      return String(value);
    };

    const indexedDb: { database: string; store: string; records: number; json: string }[] = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(info.name as string);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      try {
        for (const store of Array.from(db.objectStoreNames)) {
          // Read everything first: awaiting anything else inside the
          // transaction would let it commit under us.
          const { keys, values } = await new Promise<{ keys: unknown[]; values: unknown[] }>(
            (resolve, reject) => {
              const tx = db.transaction(store, 'readonly');
              const os = tx.objectStore(store);
              const keysRequest = os.getAllKeys();
              const valuesRequest = os.getAll();
              tx.oncomplete = () =>
                resolve({ keys: keysRequest.result, values: valuesRequest.result });
              tx.onerror = () => reject(tx.error);
            },
          );
          const records: unknown[] = [];
          for (let i = 0; i < values.length; i++) {
            records.push({
              key: await serialise(keys[i]),
              value: await serialise(values[i]),
            });
          }
          indexedDb.push({
            database: info.name,
            store,
            records: values.length,
            json: JSON.stringify(records),
          });
        }
      } finally {
        db.close();
      }
    }

    const local: Record<string, string | null> = {};
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key !== null) local[key] = localStorage.getItem(key);
    }

    const opfsNames: string[] = [];
    try {
      const walk = async (dir: FileSystemDirectoryHandle, prefix: string): Promise<void> => {
        // entries() is not in every DOM lib version; the iterator is there in Chromium.
        const iterable = dir as unknown as AsyncIterable<[string, FileSystemHandle]>;
        for await (const [name, handle] of iterable) {
          opfsNames.push(`${prefix}${name}`);
          if (handle.kind === 'directory') {
            await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
          }
        }
      };
      await walk(await navigator.storage.getDirectory(), '');
    } catch {
      // no OPFS in this context
    }
    return { indexedDb, localStorage: JSON.stringify(local), opfsNames };
  });
}

function utf8Hex(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/**
 * The forms a plaintext string could take in a dump: itself, JSON-escaped,
 * the hex of its UTF-8, and base64 / base64url at each of the three byte
 * alignments (the middle of a longer encoded value).
 */
export function plaintextForms(text: string): string[] {
  const forms = new Set<string>([text, JSON.stringify(text).slice(1, -1), utf8Hex(text)]);
  const bytes = Buffer.from(text, 'utf8');
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    const b64 = padded.toString('base64');
    // Drop the characters that depend on neighbouring bytes.
    const start = Math.ceil((shift * 4) / 3) + 1;
    const stable = b64.slice(start, b64.length - 4);
    if (stable.length >= 12) {
      forms.add(stable);
      forms.add(stable.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms];
}

/** Where in the dump any form of `text` appears ("db/store", "localStorage", "opfs:name"). */
export function findPlaintext(dump: StorageDump, text: string): string[] {
  const forms = plaintextForms(text);
  const lower = forms.map((f) => f.toLowerCase());
  const hits: string[] = [];
  for (const entry of dump.indexedDb) {
    const json = entry.json;
    const jsonLower = json.toLowerCase();
    forms.forEach((form, i) => {
      const hexForm = /^[0-9a-f]+$/.test(form);
      if (hexForm ? jsonLower.includes(lower[i]!) : json.includes(form)) {
        hits.push(`indexedDB ${entry.database}/${entry.store}: ${form}`);
      }
    });
  }
  for (const form of forms) {
    if (dump.localStorage.includes(form)) hits.push(`localStorage: ${form}`);
  }
  for (const name of dump.opfsNames) {
    if (name.includes(text)) hits.push(`opfs: ${name}`);
  }
  return hits;
}
