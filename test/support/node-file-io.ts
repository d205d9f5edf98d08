/**
 * Node implementations of the engine's file source and sink (web/core stays
 * free of Node APIs): positional reads and writes on file handles, so a file
 * of any size passes through a few MiB of memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type {
  FileSink,
  FileSinkFactory,
  FileSource,
  FileSourceStore,
} from '../../web/core/files/file-io.ts';

async function readExactly(
  handle: FileHandle,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.subarray(0, done);
}

/** A file on disk as a source; the handle opens on first read and closes with close(). */
export async function nodeFileSource(
  path: string,
  mime = 'application/octet-stream',
): Promise<FileSource & { path: string }> {
  const { size } = await stat(path);
  let handle: Promise<FileHandle> | null = null;
  return {
    path,
    name: basename(path),
    mime,
    size,
    async read(offset, length) {
      handle ??= open(path, 'r');
      return readExactly(await handle, offset, length);
    },
    async close() {
      if (handle) await (await handle).close();
      handle = null;
    },
  };
}

/**
 * Offered files survive a restart by their path: the engine keeps
 * `{kind:'path', path, mime}` (encrypted, with the offer) and reopens it; a
 * file that is gone reopens as null (the engine then lists it as needing
 * its source).
 */
export function nodeSourceStore(): FileSourceStore {
  return {
    async remember(_fileId, source) {
      const path = (source as Partial<{ path: unknown }>).path;
      return typeof path === 'string' ? { kind: 'path', path, mime: source.mime } : null;
    },
    async reopen(_fileId, ref) {
      if (ref.kind !== 'path' || typeof ref.path !== 'string') return null;
      const mime = typeof ref.mime === 'string' ? ref.mime : undefined;
      return nodeFileSource(ref.path, mime).catch(() => null);
    },
    async forget() {},
  };
}

/** Incoming files go to `<dir>/<key>.part` while they arrive and `<dir>/<key>` once verified. */
export function nodeSinkFactory(dir: string): FileSinkFactory {
  return {
    async open(key, _meta, resume) {
      await mkdir(dir, { recursive: true });
      const part = join(dir, `${key}.part`);
      const done = join(dir, key);
      const handle = await open(part, resume ? 'a+' : 'w+').then(async (h) => {
        if (!resume) return h;
        // 'a+' makes sure it exists; positional writes need 'r+'.
        await h.close();
        return open(part, 'r+');
      });
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await handle.close();
      };
      const sink: FileSink = {
        async write(offset, bytes) {
          let at = 0;
          while (at < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, at, bytes.length - at, offset + at);
            at += bytesWritten;
          }
        },
        // The resume point is recorded after this: the bytes must be on disk by then.
        flush: () => handle.datasync(),
        read: (offset, length) => readExactly(handle, offset, length),
        async commit() {
          await close();
          await rename(part, done);
          return done;
        },
        async discard() {
          await close();
          await rm(part, { force: true });
        },
        close,
      };
      return sink;
    },
  };
}

/** sha256 of a file, streamed (tests compare files without holding them). */
export function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Writes `bytes` of deterministic pseudo-random data (xorshift), 1 MiB at a time. */
export async function writeTestFile(path: string, bytes: number, seed = 1): Promise<void> {
  const handle = await open(path, 'w');
  const block = new Uint8Array(1024 * 1024);
  const words = new Uint32Array(block.buffer);
  let x = seed >>> 0 || 1;
  try {
    for (let at = 0; at < bytes; at += block.length) {
      for (let i = 0; i < words.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        words[i] = x >>> 0;
      }
      const n = Math.min(block.length, bytes - at);
      await handle.write(block, 0, n, at);
    }
  } finally {
    await handle.close();
  }
}
