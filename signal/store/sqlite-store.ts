/**
 * The embedded store: better-sqlite3 at DATA_DIR/parley.db.
 *
 * journal_mode=WAL: readers never block the writer, and commits are appends.
 * synchronous=NORMAL, not FULL, measured: FULL costs an fsync per commit
 * (2.8 ms here vs 0.01 ms), paid on the relay's only thread, so any client
 * allowed a few hundred writes a second could stall everyone. In WAL mode
 * NORMAL is still durable across a crash or restart of the relay process —
 * everything it acknowledged is in the WAL — and can lose only the last
 * commits on an OS crash or power cut, which clients cover: their outbox
 * resends until the other side acknowledges end to end (ARCHITECTURE.md).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RoleT } from '../../shared/protocol/fields.ts';
import { migrate } from './migrations.ts';
import {
  bytes,
  isUniqueViolation,
  type Row,
  toDevice,
  toMail,
  toMember,
  toRoom,
  toUser,
} from './sqlite-rows.ts';
import { prepareStatements, type Statements } from './sqlite-statements.ts';
import type {
  AddDeviceResult,
  CreateUserResult,
  DeviceRow,
  MailItem,
  MailQuota,
  MemberRow,
  NewMailItem,
  PrekeyFields,
  RelayStore,
  RoomRow,
  RoomWithCount,
  SecretKindT,
  SecretRow,
  UserRow,
} from './store.ts';

export const DB_FILE_NAME = 'parley.db';

export class SqliteStore implements RelayStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #s: Statements;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.path = join(dataDir, DB_FILE_NAME);
    this.#db = new Database(this.path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma('busy_timeout = 5000');
    migrate(this.#db);
    this.#s = prepareStatements(this.#db);
  }

  getMeta(key: string): Uint8Array | null {
    const r = this.#s.getMeta.get(key) as Row | undefined;
    return r ? bytes(r.value) : null;
  }

  setMeta(key: string, value: Uint8Array): void {
    this.#s.setMeta.run(key, value);
  }

  createUserWithDevice(user: UserRow, device: DeviceRow): CreateUserResult {
    const lc = user.username.toLowerCase();
    return this.#db.transaction((): CreateUserResult => {
      if (this.#s.userByName.get(lc)) return 'USERNAME_TAKEN';
      if (this.#s.userByIk.get(user.ik)) return 'IDENTITY_TAKEN';
      if (this.#s.deviceById.get(device.id)) return 'IDENTITY_TAKEN';
      this.#s.insertUser.run(user.id, user.username, lc, user.ik, user.created);
      this.#insertDevice(device);
      return 'ok';
    })();
  }

  #insertDevice(d: DeviceRow): void {
    this.#s.insertDevice.run(
      d.id,
      d.userId,
      d.dk,
      d.certCreated,
      d.certSig,
      d.spkId,
      d.spkPk,
      d.spkCreated,
      d.spkSig,
      d.created,
    );
  }

  getUserById(id: string): UserRow | null {
    const r = this.#s.userById.get(id) as Row | undefined;
    return r ? toUser(r) : null;
  }

  getUserByName(username: string): UserRow | null {
    const r = this.#s.userByName.get(username.toLowerCase()) as Row | undefined;
    return r ? toUser(r) : null;
  }

  getUserByIk(ik: Uint8Array): UserRow | null {
    const r = this.#s.userByIk.get(ik) as Row | undefined;
    return r ? toUser(r) : null;
  }

  addDevice(device: DeviceRow, maxDevicesPerUser: number): AddDeviceResult {
    return this.#db.transaction((): AddDeviceResult => {
      const n = (this.#s.countDevices.get(device.userId) as Row).n as number;
      if (n >= maxDevicesPerUser) return 'DEVICE_LIMIT';
      try {
        this.#insertDevice(device);
      } catch (err) {
        if (isUniqueViolation(err)) return 'IDENTITY_TAKEN';
        throw err;
      }
      return 'ok';
    })();
  }

  getDevice(id: string): DeviceRow | null {
    const r = this.#s.deviceById.get(id) as Row | undefined;
    return r ? toDevice(r) : null;
  }

  listDevices(userId: string): DeviceRow[] {
    return (this.#s.devicesOf.all(userId) as Row[]).map(toDevice);
  }

  updatePrekey(deviceId: string, spk: PrekeyFields): void {
    this.#s.updatePrekey.run(spk.spkId, spk.spkPk, spk.spkCreated, spk.spkSig, deviceId);
  }

  setSecret(row: SecretRow): void {
    this.#s.setSecret.run(
      row.userId,
      row.kind,
      row.authPk,
      row.salt,
      row.opslimit,
      row.memlimit,
      row.blob,
      row.updated,
    );
  }

  getSecret(userId: string, kind: SecretKindT): SecretRow | null {
    const r = this.#s.getSecret.get(userId, kind) as Row | undefined;
    if (!r) return null;
    return {
      userId: r.user_id as string,
      kind: r.kind as SecretKindT,
      authPk: bytes(r.auth_pk),
      salt: (r.salt as Uint8Array | null) ?? null,
      opslimit: (r.opslimit as number | null) ?? null,
      memlimit: (r.memlimit as number | null) ?? null,
      blob: bytes(r.blob),
      updated: r.updated as number,
    };
  }

  createRoom(room: RoomRow, inviteHash: Uint8Array | null): void {
    this.#db.transaction(() => {
      this.#s.insertRoom.run(room.id, room.name, room.visibility, room.ownerId, room.created);
      this.#s.insertMember.run(room.id, room.ownerId, 'owner', room.created);
      if (inviteHash) this.#s.insertInvite.run(inviteHash, room.id, room.ownerId, room.created);
    })();
  }

  getRoom(id: string): RoomWithCount | null {
    const r = this.#s.roomById.get(id) as Row | undefined;
    return r ? toRoom(r) : null;
  }

  deleteRoom(id: string): void {
    this.#s.deleteRoom.run(id);
  }

  countRoomsOwned(userId: string): number {
    return (this.#s.countOwned.get(userId) as Row).n as number;
  }

  listPublicRooms(limit: number): RoomWithCount[] {
    return (this.#s.publicRooms.all(limit) as Row[]).map(toRoom);
  }

  listRoomsOf(userId: string): (RoomWithCount & { role: RoleT })[] {
    return (this.#s.roomsOf.all(userId) as Row[]).map((r) => ({
      ...toRoom(r),
      role: r.my_role as RoleT,
    }));
  }

  getMember(roomId: string, userId: string): MemberRow | null {
    const r = this.#s.member.get(roomId, userId) as Row | undefined;
    return r ? toMember(r) : null;
  }

  listMembers(roomId: string): MemberRow[] {
    return (this.#s.members.all(roomId) as Row[]).map(toMember);
  }

  addMember(roomId: string, userId: string, role: RoleT, maxMembers: number): 'ok' | 'FULL' {
    return this.#db.transaction((): 'ok' | 'FULL' => {
      const n = (this.#s.countMembers.get(roomId) as Row).n as number;
      if (n >= maxMembers) return 'FULL';
      this.#s.insertMember.run(roomId, userId, role, Date.now());
      return 'ok';
    })();
  }

  removeMember(roomId: string, userId: string): boolean {
    return this.#s.deleteMember.run(roomId, userId).changes > 0;
  }

  setRole(roomId: string, userId: string, role: RoleT): void {
    this.#s.setRole.run(role, roomId, userId);
  }

  ban(roomId: string, userId: string): void {
    this.#db.transaction(() => {
      this.#s.insertBan.run(roomId, userId);
      this.#s.deleteMember.run(roomId, userId);
    })();
  }

  unban(roomId: string, userId: string): void {
    this.#s.deleteBan.run(roomId, userId);
  }

  isBanned(roomId: string, userId: string): boolean {
    return this.#s.isBanned.get(roomId, userId) !== undefined;
  }

  addInvite(roomId: string, codeHash: Uint8Array, createdBy: string): void {
    this.#s.insertInvite.run(codeHash, roomId, createdBy, Date.now());
  }

  inviteAdmits(roomId: string, userId: string, codeHash: Uint8Array): boolean {
    return this.#s.inviteAdmits.get(codeHash, roomId, userId) !== undefined;
  }

  recordKick(roomId: string, userId: string): void {
    this.#s.recordKick.run(roomId, userId);
  }

  sharesRoom(userA: string, userB: string): boolean {
    return this.#s.sharesRoom.get(userA, userB) !== undefined;
  }

  openDm(userA: string, userB: string): void {
    this.#s.openDm.run(userA, userB);
  }

  isDmOpen(userA: string, userB: string): boolean {
    return this.#s.isDmOpen.get(userA, userB, userB, userA) !== undefined;
  }

  listDmPartners(userId: string, limit: number): { id: string; username: string }[] {
    return this.#s.dmPartners.all({ me: userId, limit }) as { id: string; username: string }[];
  }

  block(blocker: string, blocked: string): void {
    this.#s.block.run(blocker, blocked);
  }

  isBlocked(blocker: string, blocked: string): boolean {
    return this.#s.isBlocked.get(blocker, blocked) !== undefined;
  }

  putMail(items: NewMailItem[], quota: MailQuota): 'ok' | 'MAILBOX_FULL' {
    return this.#db.transaction((): 'ok' | 'MAILBOX_FULL' => {
      const added = new Map<string, { items: number; bytes: number }>();
      for (const item of items) {
        const a = added.get(item.userId) ?? { items: 0, bytes: 0 };
        a.items += 1;
        a.bytes += item.payload.length;
        added.set(item.userId, a);
      }
      for (const [userId, a] of added) {
        const used = this.mailUsage(userId);
        if (used.items + a.items > quota.maxItems || used.bytes + a.bytes > quota.maxBytes) {
          return 'MAILBOX_FULL';
        }
      }
      for (const m of items) {
        this.#s.insertMail.run(
          m.deviceId,
          m.userId,
          m.fromDevice,
          m.fromUser,
          m.roomId,
          m.payload,
          m.payload.length,
          m.created,
          m.expires,
        );
      }
      return 'ok';
    })();
  }

  listMail(deviceId: string, nowMs: number, limit: number): MailItem[] {
    return (this.#s.listMail.all(deviceId, nowMs, limit) as Row[]).map(toMail);
  }

  countMail(deviceId: string, nowMs: number): number {
    return (this.#s.countMail.get(deviceId, nowMs) as Row).n as number;
  }

  ackMail(deviceId: string, ids: number[]): number {
    return this.#s.ackMail.run(deviceId, JSON.stringify(ids)).changes;
  }

  sweepMail(nowMs: number): number {
    return this.#s.sweepMail.run(nowMs).changes;
  }

  mailUsage(userId: string): { items: number; bytes: number } {
    const r = this.#s.mailUsage.get(userId) as Row;
    return { items: r.n as number, bytes: r.b as number };
  }

  close(): void {
    if (!this.#db.open) return;
    // Fold the WAL into the main file so a copied parley.db is complete.
    this.#db.pragma('wal_checkpoint(TRUNCATE)');
    this.#db.close();
  }
}
