/**
 * The page half of the OPFS sink whose writes happen in a dedicated worker
 * through sync access handles (opfs-worker.ts): positional writes in place,
 * `flush()` without closing or copying, so a file of any size costs the same
 * per segment. `browserSinkFactory` is what an app passes as
 * `files.sinks`: it asks the worker once whether this browser has
 * `createSyncAccessHandle` (only workers can see it) and otherwise, or if the
 * worker cannot start (CSP, old browser), falls back to the page's
 * `createWritable` sink (opfs-sink.ts).
 *
 * Writes are pipelined: `write()` resolves once the bytes are posted, while
 * at most MAX_UNCONFIRMED_WRITE_BYTES wait for the worker. A failed write
 * surfaces at the next call; `flush()` (the end of a segment, before the
 * resume point moves) waits for every write to be done and durable.
 */
import type { FileSink, FileSinkFactory } from './file-io.ts';
import { opfsSinkFactory } from './opfs-sink.ts';
import type { OpfsReply, OpfsRequest } from './opfs-worker.ts';

/** Where web/build.ts puts the worker entry (opfs-worker-entry.ts). */
export const FILES_WORKER_URL = '/files-worker.js';
/** Bytes posted to the worker and not yet written there (a few chunks' worth of slack). */
const MAX_UNCONFIRMED_WRITE_BYTES = 4 * 1024 * 1024;
/**
 * Chunks arrive in order: contiguous ones are gathered up to this size and
 * posted as one message, so the worker sees 16 messages per segment, not 256.
 */
const COALESCE_BYTES = 1024 * 1024;
/**
 * Gathering buffers move to the worker and come back with its reply, so a
 * steady transfer reuses the same few instead of allocating a zeroed MiB
 * per post (that allocation was the page half's largest cost in P4).
 */
const SPARE_BUFFERS = MAX_UNCONFIRMED_WRITE_BYTES / COALESCE_BYTES + 2;
/** A worker that does not answer the probe in this time is treated as unusable. */
const PROBE_TIMEOUT_MS = 5_000;

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Op = WithoutId<OpfsRequest>;

/** One worker, many sinks: requests by id, answered in order. */
class WorkerChannel {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  #broken: Error | null = null;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.addEventListener('message', (event: MessageEvent) => {
      const reply = event.data as OpfsReply;
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return;
      this.#waiting.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.value);
      else waiter.reject(new Error(reply.error));
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      this.#fail(new Error('files worker failed'));
    });
  }

  /** `transfer`: buffers the caller gives up (moved, not copied, to the worker). */
  call(op: Op, transfer: Transferable[] = []): Promise<unknown> {
    if (this.#broken) return Promise.reject(this.#broken);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ ...op, id }, transfer);
    });
  }

  terminate(): void {
    this.#fail(new Error('files worker closed'));
    this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#broken ??= error;
    for (const w of this.#waiting.values()) w.reject(error);
    this.#waiting.clear();
  }
}

export interface OpfsWorkerSinkOptions {
  /** Default: a module worker from FILES_WORKER_URL (same origin: CSP `worker-src 'self'`). */
  createWorker?: () => Worker;
}

export interface BrowserSinkFactory extends FileSinkFactory {
  /** Which sink this browser got: the worker's sync access handles, or the page's writable. */
  kind(): Promise<'sync-access-worker' | 'writable'>;
  close(): void;
}

const defaultWorker = () => new Worker(FILES_WORKER_URL, { type: 'module', name: 'parley-files' });

/** The sync-access-handle sink; `channel` is the worker all its sinks share. */
function workerSinkFactory(channel: WorkerChannel): FileSinkFactory {
  return {
    async open(key, meta, resume) {
      const id = (await channel.call({ op: 'open', key, resume, size: meta.size })) as number;
      return workerSink(channel, id);
    },
  };
}

function workerSink(channel: WorkerChannel, sink: number): FileSink {
  const unconfirmed: Array<{ done: Promise<void>; bytes: number }> = [];
  let unconfirmedBytes = 0;
  let failure: Error | null = null;
  /** Buffers back from the worker, filled again instead of allocating (and zeroing) new ones. */
  const spare: Uint8Array[] = [];
  /** Buffers handed out by `lend` and not written yet: theirs to fill, ours to move. */
  const lent = new WeakSet<ArrayBufferLike>();
  /** Contiguous chunks gathered at `offset`, `bytes` of `buffer` used so far. */
  let gathered: { offset: number; buffer: Uint8Array; bytes: number } | null = null;
  const check = () => {
    if (failure) throw failure;
  };
  const post = async () => {
    const g = gathered;
    gathered = null;
    if (!g) return;
    await send(g.offset, g.buffer.subarray(0, g.bytes), g.buffer);
  };
  const settle = async () => {
    await post();
    while (unconfirmed.length) await unconfirmed.shift()?.done;
    check();
  };
  /** `buffer`: the whole pooled buffer `bytes` is a view of, moved to the worker and back. */
  const send = async (offset: number, bytes: Uint8Array, buffer: Uint8Array) => {
    check();
    const length = bytes.length;
    const entry = {
      bytes: length,
      done: channel
        .call({ op: 'write', sink, offset, bytes, recycle: true }, [buffer.buffer as ArrayBuffer])
        .then(
          (back) => {
            unconfirmedBytes -= length;
            if (
              back instanceof Uint8Array &&
              back.buffer.byteLength === COALESCE_BYTES &&
              spare.length < SPARE_BUFFERS
            )
              spare.push(new Uint8Array(back.buffer));
          },
          (error: unknown) => {
            unconfirmedBytes -= length;
            failure ??= error instanceof Error ? error : new Error('write failed');
          },
        ),
    };
    unconfirmed.push(entry);
    unconfirmedBytes += length;
    while (unconfirmedBytes > MAX_UNCONFIRMED_WRITE_BYTES && unconfirmed.length)
      await unconfirmed.shift()?.done;
    check();
  };
  return {
    lend(bytes) {
      const buffer =
        bytes <= COALESCE_BYTES
          ? (spare.pop() ?? new Uint8Array(COALESCE_BYTES))
          : new Uint8Array(bytes);
      lent.add(buffer.buffer);
      return buffer;
    },
    async write(offset, bytes) {
      check();
      if (lent.has(bytes.buffer) && bytes.byteOffset === 0) {
        // Filled in place by the caller (decrypted into it): moved to the worker as it is.
        lent.delete(bytes.buffer);
        await post();
        await send(offset, bytes, new Uint8Array(bytes.buffer));
        return;
      }
      if (bytes.length > COALESCE_BYTES) {
        // Never on the chunk path (chunks are at most 64 KiB): posted on its own, copied.
        const copy = bytes.slice();
        await post();
        await send(offset, copy, copy);
        return;
      }
      const g = gathered;
      if (!g || offset !== g.offset + g.bytes || g.bytes + bytes.length > COALESCE_BYTES) {
        await post();
        gathered = { offset, buffer: spare.pop() ?? new Uint8Array(COALESCE_BYTES), bytes: 0 };
      }
      const into = gathered as NonNullable<typeof gathered>;
      into.buffer.set(bytes, into.bytes);
      into.bytes += bytes.length;
      if (into.bytes === COALESCE_BYTES) await post();
    },
    async flush() {
      await settle();
      await channel.call({ op: 'flush', sink });
    },
    async read(offset, length) {
      await settle();
      return (await channel.call({ op: 'read', sink, offset, length })) as Uint8Array;
    },
    async commit() {
      await settle();
      return (await channel.call({ op: 'commit', sink })) as string;
    },
    async discard() {
      gathered = null;
      await Promise.all(unconfirmed.splice(0).map((u) => u.done));
      await channel.call({ op: 'discard', sink });
    },
    async close() {
      await post().catch(() => undefined);
      await Promise.all(unconfirmed.splice(0).map((u) => u.done));
      await channel.call({ op: 'close', sink });
    },
  };
}

/** Always the worker sink (tests, or an app that knows it is there). */
export function opfsWorkerSinkFactory(opts: OpfsWorkerSinkOptions = {}): BrowserSinkFactory {
  const channel = new WorkerChannel((opts.createWorker ?? defaultWorker)());
  const factory = workerSinkFactory(channel);
  return {
    open: factory.open,
    kind: async () => 'sync-access-worker',
    close: () => channel.terminate(),
  };
}

/**
 * The browser default: the worker sink where sync access handles exist,
 * else the page's createWritable sink. Decided on the first `open` (or
 * `kind()`), so building it costs nothing until a file arrives.
 */
export function browserSinkFactory(opts: OpfsWorkerSinkOptions = {}): BrowserSinkFactory {
  let chosen: Promise<{ factory: FileSinkFactory; channel: WorkerChannel | null }> | null = null;
  const choose = () => {
    chosen ??= probe(opts).then(
      (channel) => ({ factory: channel ? workerSinkFactory(channel) : opfsSinkFactory(), channel }),
      () => ({ factory: opfsSinkFactory(), channel: null }),
    );
    return chosen;
  };
  return {
    async open(key, meta, resume) {
      return (await choose()).factory.open(key, meta, resume);
    },
    async kind() {
      return (await choose()).channel ? 'sync-access-worker' : 'writable';
    },
    close() {
      void chosen?.then((c) => c.channel?.terminate());
    },
  };
}

async function probe(opts: OpfsWorkerSinkOptions): Promise<WorkerChannel | null> {
  if (typeof Worker === 'undefined') return null;
  let channel: WorkerChannel;
  try {
    channel = new WorkerChannel((opts.createWorker ?? defaultWorker)());
  } catch {
    return null;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  const ok = await Promise.race([channel.call({ op: 'probe' }).catch(() => false), timeout]);
  clearTimeout(timer);
  if (ok === true) return channel;
  channel.terminate();
  return null;
}
