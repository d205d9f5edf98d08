/**
 * `errorMessage(error)`: words for any failure, in the current language.
 * Every error type of the app carries a stable string `code` (RelayError,
 * AccountError, FileTransferError, HistoryError); that code picks the
 * message. A fetch that could not reach the relay is a TypeError without a
 * code: it reads as "offline". Anything else is UNKNOWN, never raw text
 * from an exception (which may be English developer prose, or worse).
 */
import type { ErrorKey } from './error-codes.ts';
import { KNOWN_ERROR_KEYS, te } from './strings.ts';

/** The stable code carried by an error value, if it has one we know. */
export function errorCode(error: unknown): ErrorKey | null {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string' && KNOWN_ERROR_KEYS.has(code)) return code as ErrorKey;
  }
  if (typeof error === 'string' && KNOWN_ERROR_KEYS.has(error)) return error as ErrorKey;
  return null;
}

export function errorMessage(error: unknown): string {
  const code = errorCode(error);
  if (code) return te(`errors.${code}`);
  if (error instanceof TypeError && /fetch|network/i.test(error.message)) {
    return te('errors.NOT_CONNECTED');
  }
  return te('errors.UNKNOWN');
}
