/**
 * Reading a received file back and handing it to the person. The engine
 * writes incoming files to OPFS (web/core/files/opfs-sink.ts) and reports
 * where (`savedAs`, "parley-files/<fileId>"), but has no API yet to read a
 * completed file; this is the UI-side reader until it does.
 *
 * Only verified files are ever read: the sink renames `<fileId>.part` to
 * `<fileId>` in `commit()`, which the engine calls only after the whole file
 * hashed to the signed offer's hash. A bare `<fileId>` in the directory is
 * therefore a verified file, even after a reload (when the transfer board
 * no longer lists it).
 */

import { safeFileName } from '../trust/visible-text.ts';

/** The sink's directory (opfs-sink.ts `DIRECTORY`). */
const SINK_DIRECTORY = 'parley-files';
const PARTIAL_SUFFIX = '.part';
/** Time for a download started from a blob: URL to pick up the bytes before it is revoked. */
const DOWNLOAD_URL_LIFETIME_MS = 60_000;

type Root = () => Promise<FileSystemDirectoryHandle>;

const defaultRoot: Root = () => navigator.storage.getDirectory();

/** Path parts of `savedAs`, or null for anything but a plain relative path. */
export function savedPathParts(savedAs: string): string[] | null {
  const parts = savedAs.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null;
  return parts;
}

/**
 * The verified file as a Blob typed with the offer's MIME type (the media
 * elements need it), or null when it is not (or no longer) on this device.
 */
export async function openSavedFile(
  file: { fileId: string; mime: string },
  savedAs: string | null,
  root: Root = defaultRoot,
): Promise<Blob | null> {
  const parts = savedAs ? savedPathParts(savedAs) : [SINK_DIRECTORY, file.fileId];
  if (!parts || typeof navigator === 'undefined' || !navigator.storage?.getDirectory) return null;
  // A name still ending in .part is only trusted when the engine itself said so (no `move`).
  const last = parts[parts.length - 1] ?? '';
  if (!savedAs && last.endsWith(PARTIAL_SUFFIX)) return null;
  try {
    let dir = await root();
    for (const name of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(name);
    const stored = await (await dir.getFileHandle(last)).getFile();
    return stored.slice(0, stored.size, file.mime);
  } catch {
    return null;
  }
}

type SaveFilePicker = (options: {
  suggestedName?: string;
}) => Promise<FileSystemFileHandle & { createWritable(): Promise<FileSystemWritableFileStream> }>;

/**
 * Saves a file where the person chooses: the File System Access picker
 * where there is one (Chromium), else an `<a download>` of an object URL.
 */
export async function saveToDisk(blob: Blob, name: string): Promise<void> {
  // The offer's name is the sender's: no bidi trick, path or reserved character reaches the disk.
  const suggestedName = safeFileName(name);
  const picker = (globalThis as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  if (typeof picker === 'function') {
    let handle: Awaited<ReturnType<SaveFilePicker>>;
    try {
      handle = await picker({ suggestedName });
    } catch (error) {
      // The person closed the picker: nothing to report.
      if (error instanceof DOMException && error.name === 'AbortError') return;
      throw error;
    }
    const writable = await handle.createWritable();
    await blob.stream().pipeTo(writable);
    return;
  }
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = suggestedName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_LIFETIME_MS);
}
