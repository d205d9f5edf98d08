/**
 * One error type for file transfers, with stable codes the UI translates.
 * Crypto-level codes (shared/crypto/files.ts) pass through unchanged.
 */
import type { FileChunkError, FileOfferError } from '../../../shared/crypto/files.ts';

export type FileTransferCode =
  | FileOfferError
  | FileChunkError
  /** Larger than the relay owner's limit (`/config` limits.maxFileBytes). */
  | 'FILE_TOO_LARGE'
  | 'FILE_NO_CONVERSATION'
  | 'FILE_UNKNOWN_TRANSFER'
  /** The action does not apply in the transfer's current state (e.g. accept twice). */
  | 'FILE_BAD_STATE'
  | 'FILE_SOURCE_READ'
  /** A re-attached source is not the offered file (size or hash differ). */
  | 'FILE_SOURCE_MISMATCH'
  /**
   * The sender's link stayed open but no data came for `stallTimeoutMs`,
   * `stallRetries` times in a row after asking again.
   */
  | 'FILE_SENDER_STALLED'
  | 'FILE_SINK_WRITE'
  /** The received bytes do not hash to the signed offer's hash. */
  | 'FILE_HASH_MISMATCH'
  | 'FILE_DECLINED'
  | 'FILE_CANCELLED'
  /** The other side cancelled (its code is in `detail`). */
  | 'FILE_CANCELLED_BY_PEER';

export class FileTransferError extends Error {
  readonly code: FileTransferCode;
  readonly detail: string | undefined;

  constructor(code: FileTransferCode, detail?: string) {
    super(detail ? `${code}: ${detail}` : code);
    this.name = 'FileTransferError';
    this.code = code;
    this.detail = detail;
  }
}
