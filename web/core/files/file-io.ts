/**
 * Where file bytes come from and go to, so that no file is ever whole in
 * memory: a source is read a block at a time, a sink is written at offsets
 * (segments may be re-fetched) and read back once to verify the hash.
 * web/core stays free of Node APIs: Node's implementations are injected
 * (test/support/node-file-io.ts); the browser's are Blob (here) and OPFS
 * (to come).
 */

export interface FileSource {
  readonly name: string;
  readonly mime: string;
  readonly size: number;
  /** Exactly `length` bytes at `offset` (the caller never reads past the end). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /**
   * Optional: fills `target` with the `target.length` bytes at `offset`, so a
   * sender can read every block into one reused buffer instead of a fresh
   * allocation per block. `target` is only written until the promise settles.
   */
  readInto?(offset: number, target: Uint8Array): Promise<void>;
  close?(): Promise<void>;
}

export interface FileSink {
  write(offset: number, bytes: Uint8Array): Promise<void>;
  /**
   * Optional: a buffer of at least `bytes` for the caller to fill and then
   * hand to `write` once, as a view from its start, giving it up: the sink
   * may move it (to a worker) and lend it out again later. Lets a receiver
   * decrypt straight into what the sink writes instead of copying it there.
   */
  lend?(bytes: number): Uint8Array;
  /**
   * Makes everything written so far durable. Called at the end of each
   * segment, before the resume point moves past it: a reload must never
   * resume after bytes the sink did not keep.
   */
  flush?(): Promise<void>;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Keeps the bytes: the file is verified. Returns where it is (a path, an OPFS name). */
  commit(): Promise<string>;
  /** Throws the bytes away (declined, cancelled, hash mismatch). */
  discard(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a source store needs to open a shared file again after a restart (a
 * path in Node; in a browser, a marker that a FileSystemFileHandle was kept).
 * Kept with the offer in the encrypted kv store, so plain JSON values only.
 */
export type FileSourceRef = Readonly<Record<string, string | number | boolean>>;

/**
 * Lets the files this device offered survive a restart: the host keeps
 * whatever reopens a source, and gives it back later. A source it cannot
 * keep (a picked File in a browser) yields null: after a restart the UI
 * asks the person to pick the same file again (`client.files.reattach`).
 */
export interface FileSourceStore {
  /** The offer was posted: keep what reopens `source`; null when it cannot be kept. */
  remember(fileId: string, source: FileSource): Promise<FileSourceRef | null>;
  /** Reopens a remembered source; null when it is gone or not allowed any more. */
  reopen(fileId: string, ref: FileSourceRef): Promise<FileSource | null>;
  /** The offer is withdrawn or expired. */
  forget(fileId: string): Promise<void>;
}

export interface FileSinkFactory {
  /**
   * The sink for one incoming file. `resume` reopens what an earlier run
   * (before a reload) wrote under the same key, keeping its bytes.
   */
  open(
    key: string,
    meta: { name: string; mime: string; size: number },
    resume: boolean,
  ): Promise<FileSink>;
}

/** A browser File or Blob as a source (Blob.slice reads only the part asked for). */
export function blobSource(blob: Blob, name: string, mime = blob.type): FileSource {
  return {
    name,
    mime: mime || 'application/octet-stream',
    size: blob.size,
    async read(offset, length) {
      return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
    },
  };
}
