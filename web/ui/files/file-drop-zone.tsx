/**
 * Wraps a conversation's area: dragging files over it shows "Drop files to
 * share"; dropping shares them (share-files.ts). Failures of the latest
 * share in this conversation are shown here until dismissed.
 */
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { errorMessage } from '../errors/error-message.ts';
import { dismissShareFailures, shareDropped, shareFailures } from './share-files.ts';
import { tf } from './strings.ts';
import '../common/common.css';
import './files.css';

export interface FileDropZoneProps {
  client: ParleyClient;
  convId: string;
  children?: ComponentChildren;
}

/** Only drags that carry files (not selected text or links) light the zone. */
function carriesFiles(event: DragEvent): boolean {
  return [...(event.dataTransfer?.types ?? [])].includes('Files');
}

export function FileDropZone({ client, convId, children }: FileDropZoneProps) {
  const [over, setOver] = useState(false);
  // dragenter/dragleave fire for every child crossed: count them.
  const depth = useRef(0);
  const failures = shareFailures.value.filter((f) => f.convId === convId);

  const onDragEnter = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth.current++;
    setOver(true);
  };
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  };
  const onDragLeave = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    depth.current = Math.max(0, depth.current - 1);
    if (depth.current === 0) setOver(false);
  };
  const onDrop = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    depth.current = 0;
    setOver(false);
    // Failures are published to shareFailures and shown below.
    if (event.dataTransfer) shareDropped(client, convId, event.dataTransfer).catch(() => undefined);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop target only; keyboard users have the composer's "Attach files".
    <div
      class={`files-dropzone${over ? ' files-dropzone--over' : ''}`}
      onDragEnter={onDragEnter}
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      {children}
      {over ? (
        <div class="files-dropzone-overlay">
          <p class="files-dropzone-text">{tf('files.dropHint')}</p>
        </div>
      ) : null}
      {failures.length > 0 ? (
        <div class="files-share-failures" role="alert">
          <ul>
            {failures.map((f) => (
              <li key={f.name}>
                {tf('files.shareFailed', { name: f.name, message: errorMessage(f.error) })}
              </li>
            ))}
          </ul>
          <button type="button" class="btn btn-small" onClick={() => dismissShareFailures(convId)}>
            {tf('files.dismiss')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
