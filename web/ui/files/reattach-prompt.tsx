/**
 * On the sender's card: after a restart this device could not reopen a file
 * it offered, and someone still waits for it (`client.files.needsSource`).
 * The person picks the same file again (the engine checks size and hash,
 * FILE_SOURCE_MISMATCH otherwise) or stops sharing it.
 */
import { useRef, useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { blobSource, type FileSource } from '../../core/files/file-io.ts';
import { handleSource, requestHandleAccess } from '../../core/files/handle-source-store.ts';
import type { NeedsSourceView } from '../../core/files/transfer-board.ts';
import { errorMessage } from '../errors/error-message.ts';
import { rememberSharedFile } from './local-shares.ts';
import { tf } from './strings.ts';

type OpenFilePicker = (options: { multiple: boolean }) => Promise<FileSystemFileHandle[]>;

export function ReattachPrompt({ client, need }: { client: ParleyClient; need: NeedsSourceView }) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (work: Promise<void>) => {
    setError(null);
    work.catch((e: unknown) => setError(errorMessage(e)));
  };
  const reattach = async (source: FileSource, blob: Blob) => {
    await client.files.reattach(need.fileId, source);
    rememberSharedFile(need.fileId, blob);
  };
  // Inside the click: a lapsed permission can be asked for again, and a
  // picked handle (unlike a plain File) is kept for the next restart.
  const pick = () =>
    run(
      (async () => {
        if (need.reason === 'unreadable') {
          const granted = await requestHandleAccess(need.fileId);
          if (granted) return reattach(granted, await granted.handle.getFile());
        }
        const picker = (globalThis as { showOpenFilePicker?: OpenFilePicker }).showOpenFilePicker;
        if (typeof picker !== 'function') {
          input.current?.click();
          return;
        }
        let handle: FileSystemFileHandle | undefined;
        try {
          [handle] = await picker({ multiple: false });
        } catch (error) {
          if (error instanceof DOMException && error.name === 'AbortError') return;
          throw error;
        }
        if (!handle) return;
        return reattach(await handleSource(handle, need.mime), await handle.getFile());
      })(),
    );
  const onPicked = () => {
    const file = input.current?.files?.[0];
    if (!file) return;
    run(reattach(blobSource(file, need.name, need.mime), file));
    if (input.current) input.current.value = '';
  };
  return (
    <div class="files-reattach">
      <p class="files-status files-status--warn">
        {tf(`files.needs.${need.reason}`, { count: need.waitingDevices.length })}
      </p>
      {error ? <p class="files-card-error">{error}</p> : null}
      <div class="files-card-actions">
        <button type="button" class="btn btn-small btn-primary" onClick={pick}>
          {tf('files.pickAgain')}
        </button>
        <button
          type="button"
          class="btn btn-small files-btn-cancel"
          onClick={() => run(client.files.withdraw(need.fileId))}
        >
          {tf('files.stopSharing')}
        </button>
      </div>
      <input
        ref={input}
        type="file"
        class="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        accept={need.mime}
        onChange={onPicked}
      />
    </div>
  );
}
