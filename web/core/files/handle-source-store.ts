/**
 * The browser's FileSourceStore: a file shared from a FileSystemFileHandle
 * (the File System Access picker, or a file in OPFS) is served again after a
 * reload, because the handle itself can be kept in IndexedDB (it is
 * structured-cloneable; a plain File is not, and is never kept). On reopen
 * the handle must still be readable without asking: OPFS handles always
 * are; a picked file's permission may have lapsed, and then it reopens as
 * null and the UI asks the person (`files.needsSource`; picking the file
 * again, or `requestHandleAccess` inside a click, brings it back).
 *
 * A handle is a browser object, so it cannot go through the encrypted kv
 * store: it sits in its own small database, keyed by file id, and holds
 * only a reference (its name is readable there, never the file's bytes or
 * key). `wipeFileHandles` is for sign-out.
 */
import { type DBSchema, openDB } from 'idb';
import { blobSource, type FileSource, type FileSourceStore } from './file-io.ts';

export const FILE_HANDLES_DB = 'parley-file-handles';
const STORE = 'handles';

interface HandleDb extends DBSchema {
  handles: { key: string; value: FileSystemFileHandle };
}

/** What some browsers add to a handle (Chromium); not in every DOM lib. */
type PermissionedHandle = FileSystemFileHandle & {
  queryPermission?: (d: { mode: 'read' }) => Promise<PermissionState>;
  requestPermission?: (d: { mode: 'read' }) => Promise<PermissionState>;
};

export type HandleSource = FileSource & { readonly handle: FileSystemFileHandle };

/** A file from a handle as a source the store can keep (reads a snapshot of the file as it is now). */
export async function handleSource(
  handle: FileSystemFileHandle,
  mime?: string,
): Promise<HandleSource> {
  const file = await handle.getFile();
  return { ...blobSource(file, file.name, mime ?? file.type), handle };
}

const isHandleSource = (source: FileSource): source is HandleSource =>
  typeof (source as Partial<HandleSource>).handle?.getFile === 'function';

const open = () =>
  openDB<HandleDb>(FILE_HANDLES_DB, 1, {
    upgrade(db) {
      db.createObjectStore(STORE);
    },
  });

export function handleSourceStore(): FileSourceStore {
  return {
    async remember(fileId, source) {
      if (!isHandleSource(source)) return null;
      const db = await open();
      try {
        await db.put(STORE, source.handle, fileId);
      } finally {
        db.close();
      }
      return { kind: 'handle', mime: source.mime };
    },
    async reopen(fileId, ref) {
      if (ref.kind !== 'handle') return null;
      const db = await open();
      let handle: PermissionedHandle | undefined;
      try {
        handle = await db.get(STORE, fileId);
      } finally {
        db.close();
      }
      if (!handle) return null;
      // Asking needs a click: here we only take what is already granted.
      if (handle.queryPermission && (await handle.queryPermission({ mode: 'read' })) !== 'granted')
        return null;
      const mime = typeof ref.mime === 'string' ? ref.mime : undefined;
      return handleSource(handle, mime).catch(() => null);
    },
    async forget(fileId) {
      const db = await open();
      try {
        await db.delete(STORE, fileId);
      } finally {
        db.close();
      }
    },
  };
}

/**
 * Inside a click: asks again for read access to a kept handle whose
 * permission lapsed, and returns it as a source for `files.reattach`; null
 * when there is no such handle or the person says no.
 */
export async function requestHandleAccess(fileId: string): Promise<HandleSource | null> {
  const db = await open();
  let handle: PermissionedHandle | undefined;
  try {
    handle = await db.get(STORE, fileId);
  } finally {
    db.close();
  }
  if (!handle) return null;
  if (handle.requestPermission && (await handle.requestPermission({ mode: 'read' })) !== 'granted')
    return null;
  return handleSource(handle).catch(() => null);
}

/** Sign-out: every kept handle goes. */
export function wipeFileHandles(): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(FILE_HANDLES_DB);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}
