/**
 * The one error type of the relay boundary, as the engine sees it: the
 * relay's own stable codes plus the few that only a client can observe.
 * The UI maps every code to words in each language.
 */
import type { ErrorCode } from '../../shared/protocol/errors.ts';

export const CLIENT_ERROR_CODES = {
  DISCONNECTED: 'The connection to the relay closed before the reply came.',
  REQUEST_TIMEOUT: 'The relay did not answer in time.',
  RELAY_PROTOCOL: 'The relay sent something that is not valid protocol.',
  NOT_CONNECTED: 'There is no connection to the relay.',
  CLOSED: 'The relay client was closed.',
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERROR_CODES;
export type RelayErrorCode = ErrorCode | ClientErrorCode;

export class RelayError extends Error {
  override readonly name = 'RelayError';
  readonly code: RelayErrorCode;

  constructor(code: RelayErrorCode, message?: string, options?: { cause?: unknown }) {
    super(`parley/relay: ${code}${message ? `: ${message}` : ''}`, options);
    this.code = code;
  }
}
