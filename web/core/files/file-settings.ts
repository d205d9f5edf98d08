/**
 * What the person and the embedding app decide about files: where incoming
 * files go, how large a file is fetched without asking, and the relay
 * owner's limit (from `/config` unless given).
 */
import { FILES } from '../../../shared/crypto/constants.ts';
import type { FileSinkFactory, FileSourceStore } from './file-io.ts';
import type { ChunkMutator } from './outgoing-stream.ts';

export interface FileSettings {
  /** Where incoming files are written; null: incoming files stay offered (cannot be saved here). */
  sinks: FileSinkFactory | null;
  /**
   * Keeps what reopens the files this device offered, so they are still
   * served after a restart; null: after a restart each unfinished offer waits
   * for `files.reattach` (the `needsSource` list).
   */
  sources: FileSourceStore | null;
  /** Offers up to this size are fetched at once; larger ones wait for accept. */
  autoAcceptBytes: number;
  /** The relay owner's limit; null: read from the relay's /config when first needed. */
  maxFileBytes: number | null;
  /** 16–64 KiB (CRYPTO.md "Files"); 64 KiB fits every stack's data-channel message size. */
  chunkBytes: number;
  /**
   * Receiving: the sender's link is up, we asked, and no data came for this
   * long: ask again from the resume point (a sender stuck mid-segment).
   */
  stallTimeoutMs: number;
  /** Receiving: asking again this many times without any data fails the file (FILE_SENDER_STALLED). */
  stallRetries: number;
  /** Tests only: alter outgoing chunks, as a malicious or broken sender would. */
  mutateChunk?: ChunkMutator;
}

export const DEFAULT_FILE_SETTINGS: FileSettings = {
  sinks: null,
  sources: null,
  autoAcceptBytes: 25 * 1024 * 1024,
  maxFileBytes: null,
  chunkBytes: FILES.maxChunkBytes,
  stallTimeoutMs: 15_000,
  stallRetries: 4,
};
