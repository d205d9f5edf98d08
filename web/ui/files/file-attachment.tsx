/**
 * A shared file in the message list: name, kind and size; then, from the
 * engine's transfer board, what is happening to it — offered (Accept /
 * Decline), moving (a progress bar with bytes, rate and time left; Pause /
 * Resume / Cancel), verified (a preview for images, audio and video, and
 * Save), or why it stopped. Previews and Save only ever use bytes the engine
 * verified against the signed offer's hash (saved-file.ts), or the sender's
 * own file.
 */
import { useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import type { MessageView } from '../../core/history/message-view.ts';
import { errorMessage } from '../errors/error-message.ts';
import { intlLocale } from '../i18n/i18n.ts';
import { revealHidden } from '../trust/visible-text.ts';
import { FileIcon } from './file-icon.tsx';
import { fileKind, previewKind } from './file-kind.ts';
import { formatBytes, percentDone, progressParts } from './format-transfer.ts';
import { sharedFile } from './local-shares.ts';
import { ReattachPrompt } from './reattach-prompt.tsx';
import { saveToDisk } from './saved-file.ts';
import { tf } from './strings.ts';
import {
  isUnderway,
  summarizeTransfers,
  type TransferSummary,
  transferActions,
} from './transfer-summary.ts';
import { type BlobLoad, useFileBlob, useObjectUrl } from './use-file-blob.ts';
import '../common/common.css';
import './files.css';

export interface FileAttachmentProps {
  client: ParleyClient;
  convId: string;
  message: MessageView;
}

type Action = 'accept' | 'decline' | 'pause' | 'resume' | 'cancel';

export function FileAttachment({ client, convId, message }: FileAttachmentProps) {
  const file = message.file;
  const [actionError, setActionError] = useState<string | null>(null);
  const transfers = client.files.transfers.value;
  const summary = file ? summarizeTransfers(file.fileId, transfers) : null;
  const mine = message.authorDevice === client.files.deviceId;
  const local = file && mine ? sharedFile(file.fileId) : undefined;
  const source = !file
    ? null
    : local
      ? ({ kind: 'local', blob: local } as const)
      : summary?.direction === 'in' && summary.state === 'complete'
        ? ({ kind: 'saved', savedAs: summary.savedAs } as const)
        : !summary && !mine
          ? ({ kind: 'probe', savedAs: null } as const)
          : null;
  const need =
    file && mine ? client.files.needsSource.value.find((n) => n.fileId === file.fileId) : undefined;
  const load = useFileBlob(file ?? { fileId: '', mime: '' }, source);
  if (!file) return null;

  const locale = intlLocale.value;
  const act = (action: Action) => {
    if (!summary) return;
    setActionError(null);
    const run = (id: string) => client.files[action](id);
    Promise.all(summary.ids.map(run)).catch((error: unknown) =>
      setActionError(errorMessage(error)),
    );
  };
  const save = (blob: Blob) => {
    setActionError(null);
    saveToDisk(blob, file.name).catch((error: unknown) => setActionError(errorMessage(error)));
  };

  const kind = fileKind(file.mime);
  // The name is the sender's choice: bidi controls and invisible characters
  // are shown as markers, so "invoice\u202Efdp.exe" cannot pass for a PDF.
  const name = revealHidden(file.name);
  return (
    // biome-ignore lint/a11y/useSemanticElements: a card of controls named by its file, not a form's fieldset.
    <div
      role="group"
      aria-label={name}
      class={`files-card files-card--${summary?.state ?? (load.status === 'ready' ? 'complete' : 'none')}`}
      data-conv={convId}
    >
      <div class="files-card-head">
        <FileIcon name={name} kind={kind} />
        <div class="files-card-meta">
          <bdi class="files-card-name">{name}</bdi>
          <span class="files-card-sub">
            {tf(`files.kind.${kind}`)} · {formatBytes(file.size, locale)}
          </span>
        </div>
      </div>
      {load.status === 'ready' ? <Preview name={name} mime={file.mime} blob={load.blob} /> : null}
      {summary ? <TransferStatus name={name} summary={summary} locale={locale} /> : null}
      {!summary ? <RestingStatus mine={mine} load={load} /> : null}
      {need ? <ReattachPrompt client={client} need={need} /> : null}
      {actionError ? <p class="files-card-error">{actionError}</p> : null}
      <Buttons summary={summary} load={load} onAct={act} onSave={save} />
    </div>
  );
}

function TransferStatus(props: { name: string; summary: TransferSummary; locale: string }) {
  const { summary: s, locale } = props;
  if (isUnderway(s.state)) {
    const parts = progressParts(s, locale);
    const percent = percentDone(s.bytesDone, s.size);
    const time = parts.time ?? tf('files.lessThanSecond');
    const text =
      s.direction === 'out'
        ? [
            tf('files.sentTo', { count: s.devicesDone, total: s.devicesTotal }),
            ...(s.state === 'active' && parts.rate
              ? [tf('files.rate', { rate: parts.rate }), tf('files.timeLeft', { time })]
              : []),
          ].join(' · ')
        : s.state === 'active' && parts.rate
          ? tf('files.progress', {
              done: parts.done,
              total: parts.total,
              rate: parts.rate,
              time,
            })
          : tf('files.progressStill', { done: parts.done, total: parts.total });
    return (
      <div class="files-progress">
        <div
          class="files-bar"
          role="progressbar"
          aria-label={props.name}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          aria-valuetext={text}
        >
          <div class="files-bar-fill" style={{ width: `${percent}%` }} />
        </div>
        <p class="files-progress-text">
          {text}
          {s.state === 'waiting' ? <span class="files-note"> — {tf('files.waiting')}</span> : null}
          {s.state === 'waiting-for-sender' ? (
            <span class="files-note"> — {tf('files.waitingForSender')}</span>
          ) : null}
          {s.state === 'paused' ? (
            <span class="files-note">
              {' '}
              — {s.pausedBy === 'peer' ? tf('files.pausedByPeer') : tf('files.paused')}
            </span>
          ) : null}
        </p>
      </div>
    );
  }
  switch (s.state) {
    case 'offered':
      return <p class="files-status">{tf('files.offered')}</p>;
    case 'complete':
      return (
        <p class="files-status files-status--ok">
          {s.direction === 'in'
            ? tf('files.receivedVerified')
            : tf('files.sentTo', { count: s.devicesDone, total: s.devicesTotal })}
        </p>
      );
    case 'declined':
      return <p class="files-status">{tf('files.declined')}</p>;
    case 'cancelled':
      return <p class="files-status">{s.error ? errorMessage(s.error) : tf('files.cancelled')}</p>;
    default:
      return (
        <p class="files-status files-status--error">
          {tf('files.failed', { message: errorMessage(s.error ?? 'FILE_STREAM_FAILED') })}
        </p>
      );
  }
}

/** No transfer on the board: our own share, a file kept from an earlier session, or neither. */
function RestingStatus(props: { mine: boolean; load: BlobLoad }) {
  if (props.mine) return <p class="files-status">{tf('files.shared')}</p>;
  if (props.load.status === 'ready')
    return <p class="files-status files-status--ok">{tf('files.receivedVerified')}</p>;
  if (props.load.status === 'missing') return <p class="files-status">{tf('files.notHere')}</p>;
  return null;
}

function Buttons(props: {
  summary: TransferSummary | null;
  load: BlobLoad;
  onAct: (action: Action) => void;
  onSave: (blob: Blob) => void;
}) {
  const allowed = props.summary ? transferActions(props.summary) : null;
  const { load } = props;
  const buttons = [
    allowed?.accept ? (
      <button
        key="accept"
        type="button"
        class="btn btn-small btn-primary"
        onClick={() => props.onAct('accept')}
      >
        {tf('files.accept')}
      </button>
    ) : null,
    allowed?.decline ? (
      <button
        key="decline"
        type="button"
        class="btn btn-small"
        onClick={() => props.onAct('decline')}
      >
        {tf('files.decline')}
      </button>
    ) : null,
    allowed?.pause ? (
      <button key="pause" type="button" class="btn btn-small" onClick={() => props.onAct('pause')}>
        {tf('files.pause')}
      </button>
    ) : null,
    allowed?.resume ? (
      <button
        key="resume"
        type="button"
        class="btn btn-small btn-primary"
        onClick={() => props.onAct('resume')}
      >
        {tf('files.resume')}
      </button>
    ) : null,
    allowed?.cancel ? (
      <button
        key="cancel"
        type="button"
        class="btn btn-small files-btn-cancel"
        onClick={() => props.onAct('cancel')}
      >
        {tf('files.cancel')}
      </button>
    ) : null,
    load.status === 'ready' ? (
      <button
        key="save"
        type="button"
        class="btn btn-small btn-primary"
        onClick={() => props.onSave(load.blob)}
      >
        {tf('files.save')}
      </button>
    ) : null,
  ].filter((b) => b !== null);
  return buttons.length > 0 ? <div class="files-card-actions">{buttons}</div> : null;
}

function Preview(props: { name: string; mime: string; blob: Blob }) {
  const kind = previewKind(props.mime);
  const url = useObjectUrl(kind ? props.blob : null);
  if (!kind || !url) return null;
  if (kind === 'image')
    return <img class="files-preview files-preview--image" src={url} alt={props.name} />;
  if (kind === 'audio')
    return (
      // biome-ignore lint/a11y/useMediaCaption: a shared recording comes with no caption track.
      <audio
        class="files-preview files-preview--audio"
        src={url}
        controls
        aria-label={props.name}
      />
    );
  return (
    // biome-ignore lint/a11y/useMediaCaption: a shared video comes with no caption track.
    <video class="files-preview files-preview--video" src={url} controls aria-label={props.name} />
  );
}
