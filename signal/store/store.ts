/**
 * The relay's persistent state behind one narrow, synchronous interface.
 * SQLite (better-sqlite3) implements it today; the shape avoids SQLite-only
 * ideas (no rowid leaks, no cross-call transactions, every multi-step change
 * is one method) so a PostgreSQL store can implement it later for scale-out.
 */
import type { RoleT, VisibilityT } from '../../shared/protocol/fields.ts';

export interface UserRow {
  id: string;
  username: string;
  ik: Uint8Array;
  created: number;
}

export interface PrekeyFields {
  spkId: number;
  spkPk: Uint8Array;
  spkCreated: number;
  spkSig: Uint8Array;
}

export interface DeviceRow extends PrekeyFields {
  id: string;
  userId: string;
  dk: Uint8Array;
  certCreated: number;
  certSig: Uint8Array;
  created: number;
}

export type SecretKindT = 'password' | 'recovery';

export interface SecretRow {
  userId: string;
  kind: SecretKindT;
  authPk: Uint8Array;
  /** Password kind only. */
  salt: Uint8Array | null;
  opslimit: number | null;
  memlimit: number | null;
  blob: Uint8Array;
  updated: number;
}

export interface RoomRow {
  id: string;
  name: string;
  visibility: VisibilityT;
  ownerId: string;
  created: number;
}

export interface RoomWithCount extends RoomRow {
  memberCount: number;
}

export interface MemberRow {
  roomId: string;
  userId: string;
  username: string;
  role: RoleT;
  joined: number;
}

export interface MailItem {
  id: number;
  deviceId: string;
  userId: string;
  fromDevice: string;
  fromUser: string;
  roomId: string | null;
  payload: Uint8Array;
  created: number;
  expires: number;
}

export type NewMailItem = Omit<MailItem, 'id'>;

export interface MailQuota {
  maxBytes: number;
  maxItems: number;
}

export type CreateUserResult = 'ok' | 'USERNAME_TAKEN' | 'IDENTITY_TAKEN';
export type AddDeviceResult = 'ok' | 'DEVICE_LIMIT' | 'IDENTITY_TAKEN';

export interface RelayStore {
  getMeta(key: string): Uint8Array | null;
  setMeta(key: string, value: Uint8Array): void;

  createUserWithDevice(user: UserRow, device: DeviceRow): CreateUserResult;
  getUserById(id: string): UserRow | null;
  /** Case-insensitive. */
  getUserByName(username: string): UserRow | null;
  getUserByIk(ik: Uint8Array): UserRow | null;
  addDevice(device: DeviceRow, maxDevicesPerUser: number): AddDeviceResult;
  getDevice(id: string): DeviceRow | null;
  listDevices(userId: string): DeviceRow[];
  updatePrekey(deviceId: string, spk: PrekeyFields): void;

  setSecret(row: SecretRow): void;
  getSecret(userId: string, kind: SecretKindT): SecretRow | null;

  createRoom(room: RoomRow, inviteHash: Uint8Array | null): void;
  getRoom(id: string): RoomWithCount | null;
  deleteRoom(id: string): void;
  countRoomsOwned(userId: string): number;
  listPublicRooms(limit: number): RoomWithCount[];
  listRoomsOf(userId: string): (RoomWithCount & { role: RoleT })[];
  getMember(roomId: string, userId: string): MemberRow | null;
  listMembers(roomId: string): MemberRow[];
  /** Adds unless full; 'FULL' when the room has maxMembers already. */
  addMember(roomId: string, userId: string, role: RoleT, maxMembers: number): 'ok' | 'FULL';
  removeMember(roomId: string, userId: string): boolean;
  setRole(roomId: string, userId: string, role: RoleT): void;
  /** Bans by user (every device) and removes membership, atomically. */
  ban(roomId: string, userId: string): void;
  unban(roomId: string, userId: string): void;
  isBanned(roomId: string, userId: string): boolean;
  addInvite(roomId: string, codeHash: Uint8Array, createdBy: string): void;
  /**
   * True when the code opens this room for this user: it exists for the
   * room and, if the user was kicked, was issued after the kick.
   */
  inviteAdmits(roomId: string, userId: string, codeHash: Uint8Array): boolean;
  /** Remembers a kick, so invites that existed before it no longer admit the user. */
  recordKick(roomId: string, userId: string): void;
  sharesRoom(userA: string, userB: string): boolean;

  /** A opened a DM with B. */
  openDm(userA: string, userB: string): void;
  /** True when either side opened a DM with the other. */
  isDmOpen(userA: string, userB: string): boolean;
  /**
   * Users either side opened a DM with, minus any block between the two,
   * most recently opened first, at most `limit`.
   */
  listDmPartners(userId: string, limit: number): { id: string; username: string }[];
  block(blocker: string, blocked: string): void;
  isBlocked(blocker: string, blocked: string): boolean;

  /** Inserts all items or none; 'MAILBOX_FULL' when a recipient's quota would overflow. */
  putMail(items: NewMailItem[], quota: MailQuota): 'ok' | 'MAILBOX_FULL';
  listMail(deviceId: string, nowMs: number, limit: number): MailItem[];
  countMail(deviceId: string, nowMs: number): number;
  /** Deletes the device's own items among ids; returns how many. */
  ackMail(deviceId: string, ids: number[]): number;
  sweepMail(nowMs: number): number;
  mailUsage(userId: string): { items: number; bytes: number };

  /** Flushes and closes; further calls throw. */
  close(): void;
}
