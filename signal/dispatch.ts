/**
 * Every frame from a socket passes here: rate limit, size check, parse in a
 * guard, schema, auth state, then the handler for its type. Nothing a client
 * sends can throw past this function; a bad frame earns an error code and a
 * violation, and too many violations close the socket with 1008.
 */
import {
  type ClientMessageOf,
  type ClientMessageType,
  PRE_AUTH_TYPES,
} from '../shared/protocol/client-messages.ts';
import { CLOSE_CODES, type ErrorCode } from '../shared/protocol/errors.ts';
import { parseClientMessage } from '../shared/protocol/parse.ts';
import { onChallengeNew, onHello } from './auth.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { onEnvelope } from './envelopes.ts';
import { onDeviceAdd, onKeysGet, onLogin, onPrekeyRotate, onRegister } from './identity.ts';
import { onMailboxAck, onMailboxFetch } from './mailbox.ts';
import { onBlobFetch, onPasswordSet, onPrelogin, onRecoverySet } from './password-accounts.ts';
import { RelayError } from './relay-error.ts';
import {
  onRoomBan,
  onRoomCreate,
  onRoomDelete,
  onRoomInvite,
  onRoomJoin,
  onRoomKick,
  onRoomLeave,
  onRoomList,
  onRoomMembers,
  onRoomPublic,
  onRoomRole,
  onRoomUnban,
} from './rooms.ts';
import { onDmBlock, onDmList, onDmOpen, onSignal } from './signalling.ts';

type Handler<T extends ClientMessageType> = (
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<T>,
) => void | Promise<void>;

const HANDLERS: { [T in ClientMessageType]: Handler<T> } = {
  hello: onHello,
  'challenge.new': onChallengeNew,
  register: onRegister,
  login: onLogin,
  'device.add': onDeviceAdd,
  prelogin: onPrelogin,
  'blob.fetch': onBlobFetch,
  'password.set': onPasswordSet,
  'recovery.set': onRecoverySet,
  'keys.get': onKeysGet,
  'prekey.rotate': onPrekeyRotate,
  'room.create': onRoomCreate,
  'room.join': onRoomJoin,
  'room.leave': onRoomLeave,
  'room.list': onRoomList,
  'room.public': onRoomPublic,
  'room.members': onRoomMembers,
  'room.invite': onRoomInvite,
  'room.kick': onRoomKick,
  'room.ban': onRoomBan,
  'room.unban': onRoomUnban,
  'room.role': onRoomRole,
  'room.delete': onRoomDelete,
  'dm.open': onDmOpen,
  'dm.list': onDmList,
  'dm.block': onDmBlock,
  signal: onSignal,
  'mailbox.fetch': onMailboxFetch,
  'mailbox.ack': onMailboxAck,
  ping: (ctx, conn, msg) => {
    conn.send({ t: 'pong', ref: msg.ref, ts: ctx.now() });
  },
};

/** Codes that mark the client as misbehaving (not a race a good client can hit). */
const VIOLATIONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_JSON',
  'BAD_FRAME',
  'SCHEMA',
  'UNKNOWN_TYPE',
  'FRAME_TOO_LARGE',
  'HELLO_REQUIRED',
  'NOT_AUTHED',
  'RATE_LIMITED',
  'AUTH_FAILED',
  'FORBIDDEN',
  'CHALLENGE_UNKNOWN',
]);

/**
 * Extra tokens a request costs beyond the one its frame took, by how much
 * work it makes the relay do: signature checks and database writes cost
 * more than a ping, so the per-socket bucket bounds work, not just frames.
 */
function extraCost(msg: ClientMessageOf<ClientMessageType>): number {
  switch (msg.t) {
    case 'register':
    case 'login':
    case 'device.add':
    case 'blob.fetch':
      return 19;
    case 'room.create':
    case 'room.join':
    case 'room.leave':
    case 'room.kick':
    case 'room.ban':
    case 'room.unban':
    case 'room.role':
    case 'room.delete':
    case 'room.invite':
    case 'password.set':
    case 'recovery.set':
    case 'prekey.rotate':
    case 'dm.open':
    case 'dm.block':
      return 9;
    case 'room.list':
    case 'room.public':
    case 'room.members':
    case 'keys.get':
    case 'mailbox.fetch':
    case 'dm.list':
      return 4;
    case 'mailbox.ack':
      return Math.ceil(msg.ids.length / 100);
    default:
      return 0;
  }
}

/** Frames that may wait behind an async handler; past this the client is flooding. */
const MAX_QUEUED_FRAMES = 256;
/** At most one RATE_LIMITED notice per this long, so a flood is not echoed. */
const RATE_NOTICE_INTERVAL_MS = 1_000;

function reject(
  ctx: RelayContext,
  conn: Connection,
  code: ErrorCode,
  message: string,
  ref?: string,
): void {
  ctx.metrics.error(code);
  conn.sendError(code, message, ref);
  if (VIOLATIONS.has(code) && conn.violations.add(Date.now())) {
    ctx.log.warn({ connId: conn.id, ip: conn.ip, code }, 'closing abusive socket');
    conn.ws.close(CLOSE_CODES.policyViolation, 'too many bad frames');
  }
}

export function onFrame(
  ctx: RelayContext,
  conn: Connection,
  data: Buffer,
  isBinary: boolean,
): void {
  if (conn.queue) {
    if (conn.queue.length >= MAX_QUEUED_FRAMES) {
      reject(ctx, conn, 'RATE_LIMITED', 'too many frames while a request is pending');
      return;
    }
    conn.queue.push({ data, isBinary });
    return;
  }
  processFrame(ctx, conn, data, isBinary);
}

function processFrame(ctx: RelayContext, conn: Connection, data: Buffer, isBinary: boolean): void {
  if (!conn.isOpen) return;
  const nowMs = Date.now();
  ctx.metrics.frameIn(isBinary ? 'binary' : 'text');
  if (!conn.bucket.take(nowMs)) {
    // Drop the frame; tell the client at most once a second.
    if (nowMs - conn.lastRateNoticeMs >= RATE_NOTICE_INTERVAL_MS) {
      conn.lastRateNoticeMs = nowMs;
      reject(ctx, conn, 'RATE_LIMITED', 'frame rate limit');
    } else if (conn.violations.add(nowMs)) {
      conn.ws.close(CLOSE_CODES.policyViolation, 'flood');
    }
    return;
  }
  if (isBinary) {
    if (conn.state !== 'authed') {
      reject(ctx, conn, 'NOT_AUTHED', 'log in before sending envelopes');
      return;
    }
    try {
      if (!onEnvelope(ctx, conn, data)) reject(ctx, conn, 'BAD_FRAME', 'not a client envelope');
    } catch (err) {
      handleError(ctx, conn, err, undefined);
    }
    return;
  }
  if (data.length > ctx.config.maxControlBytes) {
    reject(ctx, conn, 'FRAME_TOO_LARGE', 'control message too large');
    return;
  }
  const parsed = parseClientMessage(data.toString('utf8'));
  if (!parsed.ok) {
    reject(ctx, conn, parsed.code, parsed.message, parsed.ref);
    return;
  }
  const msg = parsed.msg;
  if (conn.state === 'new' && msg.t !== 'hello') {
    reject(ctx, conn, 'HELLO_REQUIRED', 'send hello first', msg.ref);
    return;
  }
  if (conn.state !== 'authed' && !PRE_AUTH_TYPES.has(msg.t)) {
    reject(ctx, conn, 'NOT_AUTHED', 'log in first', msg.ref);
    return;
  }
  const extra = extraCost(msg);
  if (extra > 0 && !conn.bucket.take(nowMs, extra)) {
    reject(ctx, conn, 'RATE_LIMITED', 'request rate limit', msg.ref);
    return;
  }
  run(ctx, conn, msg.t, msg, msg.ref);
}

function run(
  ctx: RelayContext,
  conn: Connection,
  t: ClientMessageType,
  msg: ClientMessageOf<ClientMessageType>,
  ref: string | undefined,
): void {
  const handler = HANDLERS[t] as Handler<ClientMessageType>;
  let result: void | Promise<void>;
  try {
    result = handler(ctx, conn, msg);
  } catch (err) {
    handleError(ctx, conn, err, ref);
    return;
  }
  if (!(result instanceof Promise)) return;
  // Keep frame order: later frames wait until this one is answered.
  conn.queue = [];
  result
    .catch((err: unknown) => handleError(ctx, conn, err, ref))
    .finally(() => drainQueue(ctx, conn));
}

function drainQueue(ctx: RelayContext, conn: Connection): void {
  const waiting = conn.queue ?? [];
  conn.queue = null;
  while (waiting.length > 0 && conn.queue === null) {
    const frame = waiting.shift()!;
    processFrame(ctx, conn, frame.data, frame.isBinary);
  }
  if (conn.queue !== null && waiting.length > 0) {
    (conn.queue as unknown[]).unshift(...waiting);
  }
}

function handleError(ctx: RelayContext, conn: Connection, err: unknown, ref: string | undefined) {
  if (err instanceof RelayError) {
    reject(ctx, conn, err.code, err.message, ref);
    return;
  }
  ctx.log.error({ err, connId: conn.id }, 'handler failed');
  ctx.metrics.error('INTERNAL');
  conn.sendError('INTERNAL', 'the relay failed to handle this request', ref);
}
