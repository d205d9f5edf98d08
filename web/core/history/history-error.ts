/**
 * The one error type of the history store. The UI maps `code` to words; a
 * corrupt or tampered record always surfaces as an error, never as another
 * record's data.
 */
export type HistoryErrorCode =
  /** A record failed to authenticate: tampered, moved to another key or store, or another key. */
  | 'HISTORY_RECORD_CORRUPT'
  /** The database was written by a newer schema than this code knows. */
  | 'HISTORY_VERSION_TOO_NEW'
  /** Another tab holds an older version open and did not let go. */
  | 'HISTORY_BLOCKED'
  | 'HISTORY_OPEN_FAILED'
  | 'HISTORY_CLOSED'
  /** A data key or index key of the wrong size (not from at-rest.ts). */
  | 'HISTORY_BAD_KEY'
  /** A `before`/`since` position that is not an orderKey. */
  | 'HISTORY_BAD_POSITION'
  /** An event filed under a conversation it does not name. */
  | 'HISTORY_WRONG_CONVERSATION';

export class HistoryError extends Error {
  readonly code: HistoryErrorCode;

  constructor(code: HistoryErrorCode, options?: { cause?: unknown }) {
    super(`parley/history: ${code}`, options);
    this.name = 'HistoryError';
    this.code = code;
  }
}
