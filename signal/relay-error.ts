/**
 * The one error type handlers throw: a stable protocol code and a short
 * message (never secret material). The dispatcher turns it into
 * `{t:"error", code, message, ref}`; anything else thrown becomes INTERNAL.
 */
import type { ErrorCode } from '../shared/protocol/errors.ts';

export class RelayError extends Error {
  override readonly name = 'RelayError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function fail(code: ErrorCode, message: string): never {
  throw new RelayError(code, message);
}
