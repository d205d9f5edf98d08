/**
 * WebRTC signalling (SDP, ICE) and DM permission. The relay forwards `data`
 * without reading it, only between devices whose users may reach each other
 * (reach.ts); anything else is FORBIDDEN, whether or not the device exists,
 * so signalling cannot probe for devices.
 */
import type { ClientMessageOf } from '../shared/protocol/client-messages.ts';
import { LIMITS } from '../shared/protocol/fields.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { canReach, ownerOfDevice } from './reach.ts';
import { fail } from './relay-error.ts';

export function onSignal(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'signal'>,
): void {
  const targetUser = ownerOfDevice(ctx, msg.to);
  if (!targetUser || !canReach(ctx, conn, targetUser)) {
    fail('FORBIDDEN', 'you share no room or DM with that device');
  }
  const target = ctx.presence.devices.get(msg.to);
  if (!target) fail('NOT_ONLINE', 'that device is not connected');
  if (target.bufferedBytes > ctx.config.maxBufferedBytes) {
    ctx.metrics.dropped('slow');
    fail('RECIPIENT_SLOW', 'that device is not reading');
  }
  const identity = conn.identity!;
  target.send({ t: 'signal', from: identity.deviceId, fromUser: identity.userId, data: msg.data });
  if (msg.ref !== undefined) conn.send({ t: 'ok', ref: msg.ref });
}

export function onDmOpen(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'dm.open'>,
): void {
  const other = ctx.store.getUserByName(msg.username);
  if (!other) fail('UNKNOWN_USER', 'no such user');
  const me = conn.userId!;
  if (ctx.store.isBlocked(other.id, me))
    fail('FORBIDDEN', 'that user does not accept DMs from you');
  ctx.store.openDm(me, other.id);
  ctx.presence.epoch++;
  conn.send({
    t: 'dm.ok',
    ref: msg.ref,
    userId: other.id,
    username: other.username,
    online: ctx.presence.onlineDevices(other.id),
  });
}

/**
 * The caller's own DM partners, for a new device that has no local list.
 * Only ever the socket's proven user: the request names nobody, so no one
 * can ask for another user's contacts.
 */
export function onDmList(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'dm.list'>,
): void {
  const partners = ctx.store
    .listDmPartners(conn.userId!, LIMITS.dmListMaxPartners)
    .map((u) => ({ userId: u.id, username: u.username }));
  conn.send({ t: 'dm.list.ok', ref: msg.ref, partners });
}

export function onDmBlock(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'dm.block'>,
): void {
  const other = ctx.store.getUserByName(msg.username);
  if (!other) fail('UNKNOWN_USER', 'no such user');
  ctx.store.block(conn.userId!, other.id);
  ctx.presence.epoch++;
  conn.send({ t: 'ok', ref: msg.ref });
}
