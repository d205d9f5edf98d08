/**
 * Incoming files in the browser's origin private file system (OPFS), so a
 * file never has to fit in memory: `<key>.part` while it arrives, `<key>`
 * once verified.
 *
 * This version writes through `createWritable()` on the page. Chromium keeps
 * those writes in a swap file until `close()`, so `flush()` (the end of each
 * segment, before the resume point moves) closes and reopens with
 * `keepExistingData`, which copies the file so far: fine for files of tens
 * of MiB, quadratic for GiBs. A dedicated worker with
 * `createSyncAccessHandle()` (true positional writes and flush) replaces it.
 */
import type { FileSink, FileSinkFactory } from './file-io.ts';

const DIRECTORY = 'parley-files';
/**
 * Every write to a writable is a round trip to the browser process; chunks
 * arrive in order, so contiguous ones are gathered up to this size first.
 */
const COALESCE_BYTES = 1024 * 1024;

type Movable = FileSystemFileHandle & { move?: (name: string) => Promise<void> };

export function opfsSinkFactory(root?: () => Promise<FileSystemDirectoryHandle>): FileSinkFactory {
  const getRoot = root ?? (() => navigator.storage.getDirectory());
  return {
    async open(key, _meta, resume) {
      const dir = await (await getRoot()).getDirectoryHandle(DIRECTORY, { create: true });
      const partName = `${key}.part`;
      const handle: Movable = await dir.getFileHandle(partName, { create: true });
      let writable: FileSystemWritableFileStream | null = await handle.createWritable({
        keepExistingData: resume,
      });
      let pending: { offset: number; parts: Uint8Array[]; bytes: number } | null = null;
      const writePending = async () => {
        const p = pending;
        pending = null;
        if (!p) return;
        const data = new Uint8Array(p.bytes);
        let at = 0;
        for (const part of p.parts) {
          data.set(part, at);
          at += part.length;
        }
        if (!writable) writable = await handle.createWritable({ keepExistingData: true });
        await writable.write({ type: 'write', position: p.offset, data });
      };
      const closeWritable = async () => {
        await writePending();
        const w = writable;
        writable = null;
        await w?.close();
      };
      const sink: FileSink = {
        async write(offset, bytes) {
          if (pending && offset === pending.offset + pending.bytes) {
            pending.parts.push(bytes);
            pending.bytes += bytes.length;
          } else {
            await writePending();
            pending = { offset, parts: [bytes], bytes: bytes.length };
          }
          if (pending.bytes >= COALESCE_BYTES) await writePending();
        },
        async flush() {
          await closeWritable();
        },
        async read(offset, length) {
          // Reads see what was closed: make sure everything written is.
          await closeWritable();
          const file = await handle.getFile();
          return new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
        },
        async commit() {
          await closeWritable();
          if (typeof handle.move === 'function') {
            await handle.move(key);
            return `${DIRECTORY}/${key}`;
          }
          return `${DIRECTORY}/${partName}`;
        },
        async discard() {
          pending = null;
          await writable?.abort().catch(() => undefined);
          writable = null;
          await dir.removeEntry(partName).catch(() => undefined);
        },
        async close() {
          await closeWritable();
        },
      };
      return sink;
    },
  };
}
