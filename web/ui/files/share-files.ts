/**
 * Sharing files from the composer (attach button, drop, paste) and the
 * drop zone: each file becomes a signed offer in the conversation. One
 * file failing (too large for the relay, unreadable) does not stop the
 * others; the failures are published for the UI and the promise rejects
 * with the first one, so the caller can show it too.
 *
 * A file that arrives with a FileSystemFileHandle (dropped in Chromium)
 * is shared from the handle, which the engine can keep (its
 * `handleSourceStore`), so the offer is still served after a reload; a
 * plain File cannot be kept and is asked for again (`files.needsSource`).
 */
import { signal } from '@preact/signals';
import type { ParleyClient } from '../../core/client.ts';
import { blobSource, type FileSource } from '../../core/files/file-io.ts';
import { handleSource } from '../../core/files/handle-source-store.ts';
import { rememberSharedFile } from './local-shares.ts';

export interface ShareFailure {
  convId: string;
  name: string;
  error: unknown;
}

/** Failures of the latest share per conversation; the drop zone shows them. */
export const shareFailures = signal<ShareFailure[]>([]);

export class ShareFilesError extends Error {
  /** The first failure's code (e.g. FILE_TOO_LARGE), for `errorMessage`. */
  readonly code: string;
  readonly failures: ShareFailure[];

  constructor(failures: ShareFailure[]) {
    const first = failures[0];
    const code = codeOf(first?.error) ?? 'UNKNOWN';
    super(`${code}: ${failures.map((f) => f.name).join(', ')}`);
    this.name = 'ShareFilesError';
    this.code = code;
    this.failures = failures;
  }
}

/** One file to share: its name, and how to open it as a source (with a Blob for the preview). */
interface ShareItem {
  name: string;
  open(): Promise<{ source: FileSource; blob: Blob }>;
}

export function shareFiles(client: ParleyClient, convId: string, files: File[]): Promise<void> {
  return shareItems(
    client,
    convId,
    files.map((file) => ({
      name: file.name,
      open: async () => ({ source: blobSource(file, file.name, file.type), blob: file }),
    })),
  );
}

type HandleItem = DataTransferItem & {
  getAsFileSystemHandle?: () => Promise<FileSystemHandle | null>;
};

/**
 * Shares what was dropped. Call it inside the `drop` handler: a
 * DataTransfer's items can only be read during the event (the handle
 * promises may settle later). Folders are skipped.
 */
export function shareDropped(
  client: ParleyClient,
  convId: string,
  data: DataTransfer,
): Promise<void> {
  const items: ShareItem[] = [];
  for (const item of [...data.items] as HandleItem[]) {
    if (item.kind !== 'file') continue;
    const file = item.getAsFile();
    const handle = item.getAsFileSystemHandle?.().catch(() => null) ?? Promise.resolve(null);
    if (!file) continue;
    items.push({
      name: file.name,
      open: async () => {
        const h = await handle;
        if (h?.kind === 'directory') throw new SkipItem();
        if (h?.kind === 'file') {
          const source = await handleSource(h as FileSystemFileHandle, file.type);
          return { source, blob: file };
        }
        return { source: blobSource(file, file.name, file.type), blob: file };
      },
    });
  }
  return shareItems(client, convId, items);
}

class SkipItem extends Error {}

async function shareItems(client: ParleyClient, convId: string, items: ShareItem[]): Promise<void> {
  const failures: ShareFailure[] = [];
  // One at a time: each share hashes its whole file, and parallel hashing
  // of several large files would only compete for the same core.
  for (const item of items) {
    try {
      const { source, blob } = await item.open();
      const fileId = await client.shareFile(convId, source);
      rememberSharedFile(fileId, blob);
    } catch (error) {
      if (!(error instanceof SkipItem)) failures.push({ convId, name: item.name, error });
    }
  }
  shareFailures.value = [...shareFailures.value.filter((f) => f.convId !== convId), ...failures];
  if (failures.length > 0) throw new ShareFilesError(failures);
}

export function dismissShareFailures(convId: string): void {
  shareFailures.value = shareFailures.value.filter((f) => f.convId !== convId);
}

function codeOf(error: unknown): string | null {
  return error && typeof error === 'object' && 'code' in error && typeof error.code === 'string'
    ? error.code
    : null;
}
