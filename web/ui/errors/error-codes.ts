/**
 * Every stable error code the app can meet, as one type: the relay's
 * (shared/protocol/errors.ts), the relay client's (web/core/relay-errors.ts),
 * the account module's, file transfers', the history store's, room
 * membership chains' (web/core/room-chain.ts), and UNKNOWN
 * for anything without a code. Types only, so this costs the first bundle
 * nothing; each language file is a `Record<ErrorKey, string>`, so a code
 * added in core without words fails the type check (and the unit test).
 */
import type { ErrorCode } from '../../../shared/protocol/errors.ts';
import type { AccountErrorCode } from '../../core/account/account-errors.ts';
import type { FileTransferCode } from '../../core/files/file-errors.ts';
import type { HistoryErrorCode } from '../../core/history/history-error.ts';
import type { ClientErrorCode } from '../../core/relay-errors.ts';
import type { ChainRefusal, MembershipError } from '../../core/room-chain.ts';

/** A room's membership chain refused a change (MembershipError) or entries from outside. */
export type MembershipErrorCode = MembershipError['code'] | ChainRefusal;

export type ErrorKey =
  | ErrorCode
  | ClientErrorCode
  | AccountErrorCode
  | FileTransferCode
  | HistoryErrorCode
  | MembershipErrorCode
  | 'UNKNOWN';

export type ErrorMessages = Record<ErrorKey, string>;
