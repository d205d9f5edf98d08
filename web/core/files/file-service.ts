/**
 * The engine's file sharing, across conversations: the transfer list the UI
 * shows (one signal), the settings, and the actions by transfer id. Each
 * open room or DM attaches its ConversationFiles; the client only forwards.
 */
import type { ReadonlySignal } from '@preact/signals-core';
import type { Conversation } from '../conversation.ts';
import type { HistoryStore } from '../history/history-store.ts';
import type { Mesh } from '../mesh.ts';
import { ConversationFiles } from './conversation-files.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileHost } from './file-host.ts';
import type { FileSource } from './file-io.ts';
import { DEFAULT_FILE_SETTINGS, type FileSettings } from './file-settings.ts';
import { type NeedsSourceView, TransferBoard, type TransferView } from './transfer-board.ts';
import { TransferStore } from './transfer-store.ts';

export interface FileServiceOptions {
  history: HistoryStore;
  deviceId: string;
  settings?: Partial<FileSettings>;
  /** The relay's limits (its /config); null when it cannot be read. */
  fetchMaxFileBytes: () => Promise<number | null>;
  reportError(error: unknown): void;
}

export class FileService implements FileHost {
  readonly settings: FileSettings;
  readonly deviceId: string;
  readonly board = new TransferBoard();
  readonly store: TransferStore;
  readonly #conversations = new Map<string, ConversationFiles>();
  readonly #opts: FileServiceOptions;
  #maxFileBytes: Promise<number | null> | null = null;

  constructor(opts: FileServiceOptions) {
    this.#opts = opts;
    this.deviceId = opts.deviceId;
    this.settings = { ...DEFAULT_FILE_SETTINGS, ...opts.settings };
    this.store = new TransferStore(opts.history);
  }

  get transfers(): ReadonlySignal<TransferView[]> {
    return this.board.transfers;
  }

  /**
   * Files this device offered that somebody waits for, but whose bytes it
   * cannot read since a restart: the UI asks the person to pick each again
   * and calls `reattach` (or `withdraw`).
   */
  get needsSource(): ReadonlySignal<NeedsSourceView[]> {
    return this.board.needsSource;
  }

  maxFileBytes(): Promise<number | null> {
    if (this.settings.maxFileBytes !== null) return Promise.resolve(this.settings.maxFileBytes);
    this.#maxFileBytes ??= this.#opts.fetchMaxFileBytes().catch(() => null);
    return this.#maxFileBytes;
  }

  reportError(error: unknown): void {
    this.#opts.reportError(error);
  }

  /** For a runtime: its conversation's file part (closed with the runtime). */
  attach(convId: string, mesh: Mesh, conversation: Conversation): ConversationFiles {
    const files = new ConversationFiles(this, convId, mesh, conversation);
    this.#conversations.set(convId, files);
    return files;
  }

  detach(convId: string): void {
    this.#conversations.get(convId)?.close();
    this.#conversations.delete(convId);
  }

  /** Shares a file in a conversation; resolves to its fileId once the offer is posted. */
  share(convId: string, source: FileSource): Promise<string> {
    const files = this.#conversations.get(convId);
    if (!files) return Promise.reject(new FileTransferError('FILE_NO_CONVERSATION'));
    return files.share(source);
  }

  /**
   * Gives back the bytes of a file this device offered (picked again after a
   * restart). Rejects with FILE_SOURCE_MISMATCH unless its size and hash are
   * the offer's; then every waiting recipient resumes where it stopped.
   */
  reattach(fileId: string, source: FileSource): Promise<void> {
    return this.#offerOwner(fileId).then((files) => files.reattach(fileId, source));
  }

  /** Stops offering a file (every recipient still fetching is told) and forgets it. */
  withdraw(fileId: string): Promise<void> {
    return this.#offerOwner(fileId).then((files) => files.withdraw(fileId));
  }

  accept(transferId: string): Promise<void> {
    return this.#incoming(transferId, (files, fileId) => files.accept(fileId));
  }

  decline(transferId: string): Promise<void> {
    return this.#incoming(transferId, (files, fileId) => files.decline(fileId));
  }

  async pause(transferId: string): Promise<void> {
    return this.#owner(transferId).setPaused(transferId, true);
  }

  async resume(transferId: string): Promise<void> {
    return this.#owner(transferId).setPaused(transferId, false);
  }

  async cancel(transferId: string): Promise<void> {
    return this.#owner(transferId).cancel(transferId);
  }

  close(): void {
    for (const files of this.#conversations.values()) files.close();
    this.#conversations.clear();
    this.board.close();
  }

  async #offerOwner(fileId: string): Promise<ConversationFiles> {
    for (const files of this.#conversations.values()) if (files.hasOffer(fileId)) return files;
    throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
  }

  #owner(transferId: string): ConversationFiles {
    const view = this.board.get(transferId);
    const files = view && this.#conversations.get(view.convId);
    if (!files) throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
    return files;
  }

  async #incoming(
    transferId: string,
    act: (files: ConversationFiles, fileId: string) => Promise<void>,
  ): Promise<void> {
    const view = this.board.get(transferId);
    if (view?.direction !== 'in') throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
    await act(this.#owner(transferId), view.fileId);
  }
}
