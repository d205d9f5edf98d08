/**
 * Socket login (CRYPTO.md "Relay login"): hello issues a single-use
 * challenge bound to this socket; register, login and device.add each answer
 * it with a DK signature over (domain ‖ origin ‖ nonce ‖ ts ‖ DK_pk). A
 * socket's identity is only what it proved here.
 */

import { fromB64 } from '../shared/crypto/encoding.ts';
import {
  type ChallengeError,
  challengeFromWire,
  challengeToWire,
} from '../shared/crypto/relay-auth.ts';
import type { ClientMessageOf } from '../shared/protocol/client-messages.ts';
import { CLOSE_CODES } from '../shared/protocol/errors.ts';
import type { ChallengeWireT } from '../shared/protocol/fields.ts';
import { PROTOCOL_VERSION } from '../shared/protocol/version.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { deliverMailbox } from './mailbox.ts';
import { fail } from './relay-error.ts';
import type { UserRow } from './store/store.ts';

export function onHello(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'hello'>): void {
  if (msg.v !== PROTOCOL_VERSION) {
    conn.sendError(
      'VERSION_MISMATCH',
      `relay speaks protocol ${PROTOCOL_VERSION}, client ${msg.v}`,
      msg.ref,
    );
    conn.ws.close(CLOSE_CODES.versionMismatch, 'VERSION_MISMATCH');
    return;
  }
  if (conn.state !== 'new') fail('SCHEMA', 'hello was sent already');
  conn.state = 'hello';
  conn.send({
    t: 'hello',
    ref: msg.ref,
    v: PROTOCOL_VERSION,
    relay: ctx.relayVersion,
    challenge: issueChallenge(ctx, conn),
    limits: ctx.limits,
  });
}

export function onChallengeNew(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'challenge.new'>,
): void {
  conn.send({ t: 'challenge', ref: msg.ref, challenge: issueChallenge(ctx, conn) });
}

function issueChallenge(ctx: RelayContext, conn: Connection): ChallengeWireT {
  // One outstanding challenge per socket: the previous one is withdrawn, so
  // the book holds at most one entry per open socket and a socket asking
  // for thousands cannot evict another socket's pending login.
  withdrawChallenge(ctx, conn);
  const wire = challengeToWire(ctx.challenges.issue(ctx.now()));
  // Only the latest challenge of a socket is valid on that socket, so a
  // signature can't be carried from one socket to another.
  conn.challengeNonce = wire.nonce;
  return wire;
}

/** Drops the socket's outstanding challenge (on re-issue and on close). */
export function withdrawChallenge(ctx: RelayContext, conn: Connection): void {
  if (conn.challengeNonce === null) return;
  // consume() deletes the entry whatever it answers; the answer is moot here.
  ctx.challenges.consume({ nonce: fromB64(conn.challengeNonce), ts: 0 }, ctx.now());
  conn.challengeNonce = null;
}

/** Checks and burns the challenge; throws the CHALLENGE_* code otherwise. */
export function consumeChallenge(ctx: RelayContext, conn: Connection, wire: ChallengeWireT): void {
  if (conn.challengeNonce === null || conn.challengeNonce !== wire.nonce) {
    fail('CHALLENGE_UNKNOWN', 'not the challenge issued to this socket');
  }
  conn.challengeNonce = null;
  const err: ChallengeError | null = ctx.challenges.consume(challengeFromWire(wire), ctx.now());
  if (err) fail(err, 'challenge rejected');
}

/** Rate limit auth attempts per client address (rate-limiter-flexible). */
export async function limitAuthAttempt(ctx: RelayContext, conn: Connection): Promise<void> {
  try {
    await ctx.limiters.authPerIp.consume(conn.ip);
  } catch {
    fail('RATE_LIMITED', 'too many auth attempts from this address');
  }
}

/**
 * False (and the socket closed with TOO_MANY_CONNECTIONS) when the user has
 * the maximum number of sockets already. Checked before anything is stored,
 * so a refused device.add leaves no device behind.
 */
export function identityHasRoom(
  ctx: RelayContext,
  conn: Connection,
  userId: string,
  ref: string | undefined,
): boolean {
  const open = ctx.presence.users.get(userId)?.size ?? 0;
  if (open < ctx.config.maxConnectionsPerIdentity) return true;
  conn.closeWith(
    'TOO_MANY_CONNECTIONS',
    'too many sockets for this identity',
    CLOSE_CODES.tooManyConnections,
    ref,
  );
  return false;
}

/** The socket becomes (user, device): replaces an older socket of the same device. */
export function completeAuth(
  ctx: RelayContext,
  conn: Connection,
  user: UserRow,
  deviceId: string,
  ref: string | undefined,
): void {
  if (!conn.isOpen) return;
  const { presence } = ctx;
  const previous = presence.devices.get(deviceId);
  if (previous && previous !== conn) {
    presence.remove(previous);
    previous.closeWith('REPLACED', 'this device logged in on another socket', CLOSE_CODES.replaced);
  }
  if (!identityHasRoom(ctx, conn, user.id, ref)) return;
  conn.identity = { userId: user.id, username: user.username, deviceId };
  conn.state = 'authed';
  if (conn.authTimer) {
    clearTimeout(conn.authTimer);
    conn.authTimer = null;
  }
  presence.add(conn);
  ctx.metrics.auth('ok');
  ctx.log.info({ userId: user.id, deviceId, connId: conn.id }, 'socket authenticated');
  conn.send({
    t: 'authed',
    ref,
    userId: user.id,
    username: user.username,
    deviceId,
    mailbox: ctx.store.countMail(deviceId, ctx.now()),
  });
  presence.announce(conn, true);
  deliverMailbox(ctx, conn, undefined);
}
