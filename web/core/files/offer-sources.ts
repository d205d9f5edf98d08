/**
 * Getting an offered file's bytes back after a restart, and telling the
 * person when that fails. A source counts only if it is the offered file:
 * its size, then one streaming hash pass against the signed offer, before a
 * byte is served (a file edited since would otherwise cost the recipient a
 * whole transfer and end in FILE_HASH_MISMATCH).
 */
import { type FileOffer, verifyFileHash } from '../../../shared/crypto/files.ts';
import type { FileSource, FileSourceRef, FileSourceStore } from './file-io.ts';
import { hashSource } from './share.ts';
import type { NeedsSourceView } from './transfer-board.ts';

export type MissingReason = NeedsSourceView['reason'];

/** Is this the offered file? Size first (free), then the hash. */
export async function matchesOffer(offer: FileOffer, source: FileSource): Promise<boolean> {
  if (source.size !== offer.size) return false;
  try {
    return verifyFileHash(offer, await hashSource(source));
  } catch {
    return false;
  }
}

/** Reopens a kept source and checks it: the source (the caller closes it), or why there is none. */
export async function reopenChecked(
  sources: FileSourceStore,
  offer: FileOffer,
  ref: FileSourceRef,
): Promise<{ source: FileSource } | { missing: MissingReason }> {
  const source = await sources.reopen(offer.fileId, ref).catch(() => null);
  if (!source) return { missing: 'unreadable' };
  if (await matchesOffer(offer, source)) return { source };
  await source.close?.().catch(() => undefined);
  return { missing: 'changed' };
}

/** What reopens `source` later, if the host can keep it. */
export async function rememberSource(
  sources: FileSourceStore | null,
  fileId: string,
  source: FileSource,
): Promise<FileSourceRef | null> {
  return sources ? await sources.remember(fileId, source).catch(() => null) : null;
}

export function needsSourceView(
  convId: string,
  offer: FileOffer,
  reason: MissingReason,
  waitingDevices: string[],
): NeedsSourceView {
  const { fileId, name, mime, size } = offer;
  return { fileId, convId, name, mime, size, reason, waitingDevices };
}
