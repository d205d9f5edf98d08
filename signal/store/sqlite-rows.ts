/** Mapping SQLite rows (snake_case, Buffers) to the store's row types. */
import type { RoleT } from '../../shared/protocol/fields.ts';
import type { DeviceRow, MailItem, MemberRow, RoomRow, RoomWithCount, UserRow } from './store.ts';

export type Row = Record<string, unknown>;

export const bytes = (v: unknown): Uint8Array => v as Uint8Array;

export function toUser(r: Row): UserRow {
  return {
    id: r.id as string,
    username: r.username as string,
    ik: bytes(r.ik),
    created: r.created as number,
  };
}

export function toDevice(r: Row): DeviceRow {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    dk: bytes(r.dk),
    certCreated: r.cert_created as number,
    certSig: bytes(r.cert_sig),
    spkId: r.spk_id as number,
    spkPk: bytes(r.spk_pk),
    spkCreated: r.spk_created as number,
    spkSig: bytes(r.spk_sig),
    created: r.created as number,
  };
}

export function toRoom(r: Row): RoomWithCount {
  return {
    id: r.id as string,
    name: r.name as string,
    visibility: r.visibility as RoomRow['visibility'],
    ownerId: r.owner_id as string,
    created: r.created as number,
    memberCount: (r.member_count as number | undefined) ?? 0,
  };
}

export function toMember(r: Row): MemberRow {
  return {
    roomId: r.room_id as string,
    userId: r.user_id as string,
    username: r.username as string,
    role: r.role as RoleT,
    joined: r.joined as number,
  };
}

export function toMail(r: Row): MailItem {
  return {
    id: r.id as number,
    deviceId: r.device_id as string,
    userId: r.user_id as string,
    fromDevice: r.from_device as string,
    fromUser: r.from_user as string,
    roomId: (r.room_id as string | null) ?? null,
    payload: bytes(r.payload),
    created: r.created as number,
    expires: r.expires as number,
  };
}

export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT') === true;
}
