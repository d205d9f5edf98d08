/**
 * The worker half of the OPFS sink (opfs-worker-sink.ts is the page half):
 * incoming files written through `createSyncAccessHandle()`, which only a
 * dedicated worker may open. Unlike the page's `createWritable()` (a swap
 * file copied on every close), a sync access handle writes in place at any
 * offset, and `flush()` makes the bytes durable without closing or copying.
 * The app's worker entry (opfs-worker-entry.ts, built as /files-worker.js)
 * is one line: `serveOpfsSink(self)`.
 *
 * A sync access handle is exclusive per file, so at most one is open per
 * key; requests are handled one at a time, in the order they were posted.
 */

export const OPFS_FILES_DIRECTORY = 'parley-files';
/**
 * A sync access handle is exclusive, and one held by a worker that is
 * shutting down (an engine restarted in the same page) is released a moment
 * later: opening tries again this many times, this far apart.
 */
const OPEN_RETRIES = 20;
const OPEN_RETRY_MS = 100;

export type OpfsRequest =
  | { id: number; op: 'probe' }
  | { id: number; op: 'open'; key: string; resume: boolean; size?: number }
  | {
      id: number;
      op: 'write';
      sink: number;
      offset: number;
      bytes: Uint8Array;
      /** Send `bytes` back once written (moved, not copied), for the page to fill again. */
      recycle?: boolean;
    }
  | { id: number; op: 'flush'; sink: number }
  | { id: number; op: 'read'; sink: number; offset: number; length: number }
  | { id: number; op: 'commit'; sink: number }
  | { id: number; op: 'discard'; sink: number }
  | { id: number; op: 'close'; sink: number };

export type OpfsValue = number | string | boolean | Uint8Array;

export type OpfsReply =
  | { id: number; ok: true; value?: OpfsValue }
  | { id: number; ok: false; error: string };

/**
 * FileSystemSyncAccessHandle (not in the DOM lib). Synchronous in Chromium
 * 108+ and current Safari/Firefox; early versions returned promises, so every
 * result is awaited (a no-op for plain values).
 */
interface SyncAccessHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number | Promise<number>;
  write(buffer: Uint8Array, options?: { at?: number }): number | Promise<number>;
  truncate(size: number): void | Promise<void>;
  getSize(): number | Promise<number>;
  flush(): void | Promise<void>;
  close(): void | Promise<void>;
}

type WorkerFileHandle = FileSystemFileHandle & {
  createSyncAccessHandle?: () => Promise<SyncAccessHandle>;
  move?: (name: string) => Promise<void>;
};

/** The parts of a DedicatedWorkerGlobalScope the sink uses. */
export interface WorkerScopeLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

type Open = { key: string; file: WorkerFileHandle; access: SyncAccessHandle };

export function serveOpfsSink(
  scope: WorkerScopeLike,
  root: () => Promise<FileSystemDirectoryHandle> = () => navigator.storage.getDirectory(),
): void {
  const open = new Map<number, Open>();
  let nextSink = 1;
  let queue: Promise<void> = Promise.resolve();

  const directory = async () =>
    (await root()).getDirectoryHandle(OPFS_FILES_DIRECTORY, { create: true });

  const get = (sink: number): Open => {
    const o = open.get(sink);
    if (!o) throw new Error('sink is closed');
    return o;
  };

  const closeSink = async (sink: number): Promise<Open | undefined> => {
    const o = open.get(sink);
    open.delete(sink);
    await o?.access.close();
    return o;
  };

  async function handle(req: OpfsRequest): Promise<OpfsValue | undefined> {
    switch (req.op) {
      case 'probe': {
        const proto = (globalThis as { FileSystemFileHandle?: { prototype: object } })
          .FileSystemFileHandle?.prototype;
        return !!proto && 'createSyncAccessHandle' in proto && !!navigator.storage?.getDirectory;
      }
      case 'open': {
        // A handle left open for this key (a sink not closed before a resume) would lock the file.
        for (const [sink, o] of open) if (o.key === req.key) await closeSink(sink);
        const file: WorkerFileHandle = await (await directory()).getFileHandle(`${req.key}.part`, {
          create: true,
        });
        const access = await openExclusive(file);
        if (!req.resume) await access.truncate(0);
        await preallocate(access, req.size);
        const sink = nextSink++;
        open.set(sink, { key: req.key, file, access });
        return sink;
      }
      case 'write': {
        const { access } = get(req.sink);
        let at = 0;
        while (at < req.bytes.length) {
          const n = await access.write(req.bytes.subarray(at), { at: req.offset + at });
          if (n <= 0) throw new Error('short write');
          at += n;
        }
        return req.recycle ? req.bytes : undefined;
      }
      case 'flush':
        await get(req.sink).access.flush();
        return undefined;
      case 'read': {
        const { access } = get(req.sink);
        const out = new Uint8Array(req.length);
        let at = 0;
        while (at < req.length) {
          const n = await access.read(out.subarray(at), { at: req.offset + at });
          if (n <= 0) break;
          at += n;
        }
        return at === req.length ? out : out.subarray(0, at);
      }
      case 'commit': {
        const o = get(req.sink);
        await o.access.flush();
        await closeSink(req.sink);
        if (typeof o.file.move === 'function') {
          await o.file.move(o.key);
          return `${OPFS_FILES_DIRECTORY}/${o.key}`;
        }
        return `${OPFS_FILES_DIRECTORY}/${o.key}.part`;
      }
      case 'discard': {
        const o = await closeSink(req.sink);
        if (o) await (await directory()).removeEntry(`${o.key}.part`).catch(() => undefined);
        return undefined;
      }
      case 'close':
        await closeSink(req.sink);
        return undefined;
    }
  }

  scope.addEventListener('message', (event: MessageEvent) => {
    const req = event.data as OpfsRequest;
    queue = queue.then(async () => {
      let reply: OpfsReply;
      try {
        const value = await handle(req);
        reply = value === undefined ? { id: req.id, ok: true } : { id: req.id, ok: true, value };
      } catch (error) {
        reply = { id: req.id, ok: false, error: error instanceof Error ? error.name : 'Error' };
      }
      const value = reply.ok ? reply.value : undefined;
      scope.postMessage(reply, value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : []);
    });
  });
}

/**
 * Sets the file to its final size before the first write. Chromium asks the
 * browser process for quota every time a sync access handle's file grows
 * past what it was granted, a synchronous round trip inside `write()`;
 * one grant for the whole file up front made 1 MiB writes ~1.5× faster.
 * Only ever grows the file (a resumed one keeps its bytes); a refusal
 * (quota) is left for the writes to meet, and report, as before.
 */
async function preallocate(access: SyncAccessHandle, size: number | undefined): Promise<void> {
  if (size === undefined || !Number.isSafeInteger(size) || size <= 0) return;
  try {
    if ((await access.getSize()) < size) await access.truncate(size);
  } catch {
    // Grown write by write instead.
  }
}

async function openExclusive(file: WorkerFileHandle): Promise<SyncAccessHandle> {
  if (!file.createSyncAccessHandle) throw new Error('no createSyncAccessHandle');
  for (let attempt = 0; ; attempt++) {
    try {
      return await file.createSyncAccessHandle();
    } catch (error) {
      const locked = error instanceof DOMException && error.name === 'NoModificationAllowedError';
      if (!locked || attempt >= OPEN_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, OPEN_RETRY_MS));
    }
  }
}
