/**
 * Rooms: create (public or private), join (public by id; private by an
 * invite code of which only a hash is stored), leave, list, roles, kick,
 * ban, delete. Who may do what: owner > admin > member; moderation needs
 * admin or owner and a strictly lower-ranked target; only the owner changes
 * roles or deletes. Bans are by user, so no device or invite gets around one.
 * A kick is softer: the user may rejoin a public room, and a private one
 * only with an invite issued after the kick.
 */

import { fromB64, toB64 } from '../shared/crypto/encoding.ts';
import { randomBytes } from '../shared/crypto/random.ts';
import { sodium } from '../shared/crypto/sodium.ts';
import type { ClientMessageOf } from '../shared/protocol/client-messages.ts';
import { LIMITS, type RoleT } from '../shared/protocol/fields.ts';
import type { MemberInfoT, RoomSummaryT } from '../shared/protocol/relay-messages.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { fail } from './relay-error.ts';
import type { MemberRow, RoomWithCount } from './store/store.ts';

const RANK: Record<RoleT, number> = { owner: 3, admin: 2, member: 1 };
const PUBLIC_LIST_LIMIT = 200;
const INVITE_HASH_BYTES = 32;

function inviteHash(code: string): Uint8Array {
  return sodium().crypto_generichash(INVITE_HASH_BYTES, fromB64(code), null);
}

function newInvite(): { code: string; hash: Uint8Array } {
  const code = toB64(randomBytes(LIMITS.inviteCodeBytes));
  return { code, hash: inviteHash(code) };
}

function summary(room: RoomWithCount, role?: RoleT): RoomSummaryT {
  const out: RoomSummaryT = {
    id: room.id,
    name: room.name,
    visibility: room.visibility,
    memberCount: room.memberCount,
  };
  if (role) out.role = role;
  return out;
}

function memberInfo(ctx: RelayContext, m: MemberRow): MemberInfoT {
  return {
    userId: m.userId,
    username: m.username,
    role: m.role,
    online: ctx.presence.onlineDevices(m.userId),
  };
}

function requireRoom(ctx: RelayContext, roomId: string): RoomWithCount {
  const room = ctx.store.getRoom(roomId);
  if (!room) fail('ROOM_NOT_FOUND', 'no such room');
  return room;
}

function requireMember(ctx: RelayContext, roomId: string, userId: string): MemberRow {
  const m = ctx.store.getMember(roomId, userId);
  if (!m) fail('NOT_MEMBER', 'not a member of this room');
  return m;
}

/** Actor may moderate target: admin or owner, and strictly above the target. */
function requireOutranks(actor: MemberRow, targetRole: RoleT): void {
  if (RANK[actor.role] < RANK.admin || RANK[actor.role] <= RANK[targetRole]) {
    fail('FORBIDDEN', 'your role does not allow this');
  }
}

export function onRoomCreate(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.create'>,
) {
  const userId = conn.userId!;
  if (ctx.store.countRoomsOwned(userId) >= ctx.config.maxRoomsOwned) {
    fail('ROOM_LIMIT', 'you own the maximum number of rooms');
  }
  const now = ctx.now();
  const id = toB64(randomBytes(LIMITS.roomIdBytes));
  const invite = msg.visibility === 'private' ? newInvite() : null;
  ctx.store.createRoom(
    { id, name: msg.name, visibility: msg.visibility, ownerId: userId, created: now },
    invite?.hash ?? null,
  );
  ctx.presence.memberAdded(id, userId);
  const room = requireRoom(ctx, id);
  conn.send({
    t: 'room.created',
    ref: msg.ref,
    room: summary(room, 'owner'),
    ...(invite ? { invite: invite.code } : {}),
  });
}

export function onRoomInvite(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.invite'>,
) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  if (RANK[me.role] < RANK.admin) fail('FORBIDDEN', 'only admins and the owner invite');
  const invite = newInvite();
  ctx.store.addInvite(msg.roomId, invite.hash, conn.userId!);
  conn.send({ t: 'room.invite.ok', ref: msg.ref, roomId: msg.roomId, invite: invite.code });
}

export function onRoomJoin(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'room.join'>) {
  const { store, presence } = ctx;
  const identity = conn.identity!;
  const room = requireRoom(ctx, msg.roomId);
  if (store.isBanned(room.id, identity.userId)) fail('BANNED', 'you are banned from this room');
  if (store.getMember(room.id, identity.userId)) fail('ALREADY_MEMBER', 'already a member');
  if (room.visibility === 'private') {
    if (
      msg.invite === undefined ||
      !store.inviteAdmits(room.id, identity.userId, inviteHash(msg.invite))
    ) {
      fail('INVITE_INVALID', 'a valid invite code is needed for this room');
    }
  }
  if (store.addMember(room.id, identity.userId, 'member', ctx.config.maxRoomMembers) === 'FULL') {
    fail('ROOM_FULL', 'the room is full');
  }
  presence.memberAdded(room.id, identity.userId);
  presence.broadcastRoom(
    room.id,
    {
      t: 'room.member',
      roomId: room.id,
      userId: identity.userId,
      username: identity.username,
      role: 'member',
      change: 'joined',
    },
    conn,
  );
  presence.announceUserInRoom(room.id, identity.userId, true);
  const members = store.listMembers(room.id).map((m) => memberInfo(ctx, m));
  conn.send({
    t: 'room.joined',
    ref: msg.ref,
    room: summary(requireRoom(ctx, room.id), 'member'),
    members,
  });
}

/** Removes a member and tells everyone concerned, the removed user included. */
function removeMember(
  ctx: RelayContext,
  roomId: string,
  target: MemberRow,
  change: 'left' | 'kicked' | 'banned',
  by: string | undefined,
): void {
  const { presence } = ctx;
  const event = {
    t: 'room.member' as const,
    roomId,
    userId: target.userId,
    username: target.username,
    role: target.role,
    change,
    ...(by ? { by } : {}),
  };
  presence.memberRemoved(roomId, target.userId);
  presence.broadcastRoom(roomId, event);
  // The removed user's own devices hear it too (they are no longer members).
  presence.sendToUser(target.userId, event);
  presence.announceUserInRoom(roomId, target.userId, false);
}

export function onRoomLeave(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.leave'>,
) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  if (me.role === 'owner') fail('OWNER_CANNOT_LEAVE', 'the owner deletes the room instead');
  ctx.store.removeMember(msg.roomId, me.userId);
  removeMember(ctx, msg.roomId, me, 'left', undefined);
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRoomKick(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'room.kick'>) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  const target = requireMember(ctx, msg.roomId, msg.userId);
  requireOutranks(me, target.role);
  ctx.store.removeMember(msg.roomId, target.userId);
  // The invite that let them in must not let them straight back.
  ctx.store.recordKick(msg.roomId, target.userId);
  removeMember(ctx, msg.roomId, target, 'kicked', me.userId);
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRoomBan(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'room.ban'>) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  const target = ctx.store.getMember(msg.roomId, msg.userId);
  if (target) requireOutranks(me, target.role);
  else if (RANK[me.role] < RANK.admin) fail('FORBIDDEN', 'only admins and the owner ban');
  if (!target && !ctx.store.getUserById(msg.userId)) fail('UNKNOWN_USER', 'no such user');
  ctx.store.ban(msg.roomId, msg.userId);
  // If later unbanned, the user needs an invite issued after the ban, like after a kick.
  ctx.store.recordKick(msg.roomId, msg.userId);
  if (target) removeMember(ctx, msg.roomId, target, 'banned', me.userId);
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRoomUnban(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.unban'>,
) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  if (RANK[me.role] < RANK.admin) fail('FORBIDDEN', 'only admins and the owner unban');
  ctx.store.unban(msg.roomId, msg.userId);
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRoomRole(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'room.role'>) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  if (me.role !== 'owner') fail('FORBIDDEN', 'only the owner changes roles');
  const target = requireMember(ctx, msg.roomId, msg.userId);
  if (target.role === 'owner') fail('FORBIDDEN', "the owner's role cannot change");
  ctx.store.setRole(msg.roomId, target.userId, msg.role);
  ctx.presence.broadcastRoom(msg.roomId, {
    t: 'room.member',
    roomId: msg.roomId,
    userId: target.userId,
    username: target.username,
    role: msg.role,
    change: 'role',
    by: me.userId,
  });
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRoomDelete(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.delete'>,
) {
  requireRoom(ctx, msg.roomId);
  const me = requireMember(ctx, msg.roomId, conn.userId!);
  if (me.role !== 'owner') fail('FORBIDDEN', 'only the owner deletes a room');
  ctx.presence.broadcastRoom(msg.roomId, { t: 'room.deleted', roomId: msg.roomId }, conn);
  ctx.store.deleteRoom(msg.roomId);
  ctx.presence.roomDeleted(msg.roomId);
  conn.send({ t: 'ok', ref: msg.ref });
}

export function onRoomList(ctx: RelayContext, conn: Connection, msg: ClientMessageOf<'room.list'>) {
  const rooms = ctx.store.listRoomsOf(conn.userId!).map((r) => summary(r, r.role));
  conn.send({ t: 'room.list.ok', ref: msg.ref, rooms });
}

export function onRoomPublic(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.public'>,
) {
  const rooms = ctx.store.listPublicRooms(PUBLIC_LIST_LIMIT).map((r) => summary(r));
  conn.send({ t: 'room.public.ok', ref: msg.ref, rooms });
}

export function onRoomMembers(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'room.members'>,
) {
  requireRoom(ctx, msg.roomId);
  requireMember(ctx, msg.roomId, conn.userId!);
  const members = ctx.store.listMembers(msg.roomId).map((m) => memberInfo(ctx, m));
  conn.send({ t: 'room.members.ok', ref: msg.ref, roomId: msg.roomId, members });
}
