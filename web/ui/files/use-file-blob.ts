/**
 * Hooks for a card's verified bytes: the Blob (from this tab's own share,
 * or read back from OPFS once the engine verified it) and an object URL
 * for it that is revoked when the card goes away or the Blob changes.
 */
import { useEffect, useState } from 'preact/hooks';
import { openSavedFile } from './saved-file.ts';

export type BlobLoad =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'ready'; blob: Blob }
  | { status: 'missing' };

/**
 * `source`: 'local' (this tab shared it), 'saved' (the board says verified
 * and saved at savedAs), 'probe' (no transfer listed: look for a verified
 * file from an earlier session), or null (not available yet).
 */
export function useFileBlob(
  file: { fileId: string; mime: string },
  source:
    | { kind: 'local'; blob: Blob }
    | { kind: 'saved' | 'probe'; savedAs: string | null }
    | null,
): BlobLoad {
  const [load, setLoad] = useState<BlobLoad>({ status: 'idle' });
  const key = source ? `${source.kind}:${'savedAs' in source ? source.savedAs : ''}` : 'none';
  // `key` stands for `source`, an object rebuilt on every render.
  useEffect(() => {
    if (!source) {
      setLoad({ status: 'idle' });
      return;
    }
    if (source.kind === 'local') {
      setLoad({ status: 'ready', blob: source.blob });
      return;
    }
    let live = true;
    setLoad({ status: 'loading' });
    void openSavedFile(file, source.savedAs).then((blob) => {
      if (live) setLoad(blob ? { status: 'ready', blob } : { status: 'missing' });
    });
    return () => {
      live = false;
    };
  }, [file.fileId, file.mime, key]);
  return load;
}

export function useObjectUrl(blob: Blob | null): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const created = URL.createObjectURL(blob);
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [blob]);
  return url;
}
