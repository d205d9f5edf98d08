/**
 * Who is online, and in which rooms: the in-memory index the hot paths use
 * (fan-out, reachability, presence events). The store is the truth for
 * membership; this caches it per room and is updated by every change the
 * relay itself makes, so it never goes stale within one process.
 */
import type { RelayMessage } from '../shared/protocol/relay-messages.ts';
import type { Connection } from './connection.ts';
import type { RelayStore } from './store/store.ts';

export class Presence {
  /** deviceId → its socket (one per device; a new login replaces the old). */
  readonly devices = new Map<string, Connection>();
  /** userId → that user's authenticated sockets. */
  readonly users = new Map<string, Set<Connection>>();
  /** roomId → member userIds (loaded on first use). */
  readonly #roomMembers = new Map<string, Set<string>>();
  /**
   * Bumped on any change that can alter who may reach whom (membership, DM,
   * block); per-socket reach caches compare against it.
   */
  epoch = 0;
  readonly #store: RelayStore;

  constructor(store: RelayStore) {
    this.#store = store;
  }

  get socketCount(): number {
    return this.devices.size;
  }

  roomMembers(roomId: string): Set<string> | null {
    let members = this.#roomMembers.get(roomId);
    if (!members) {
      if (!this.#store.getRoom(roomId)) return null;
      members = new Set(this.#store.listMembers(roomId).map((m) => m.userId));
      this.#roomMembers.set(roomId, members);
    }
    return members;
  }

  memberAdded(roomId: string, userId: string): void {
    this.#roomMembers.get(roomId)?.add(userId);
    this.epoch++;
  }

  memberRemoved(roomId: string, userId: string): void {
    this.#roomMembers.get(roomId)?.delete(userId);
    this.epoch++;
  }

  roomDeleted(roomId: string): void {
    this.#roomMembers.delete(roomId);
    this.epoch++;
  }

  onlineDevices(userId: string): string[] {
    const conns = this.users.get(userId);
    if (!conns) return [];
    const out: string[] = [];
    for (const c of conns) if (c.deviceId) out.push(c.deviceId);
    return out;
  }

  add(conn: Connection): void {
    const id = conn.identity!;
    this.devices.set(id.deviceId, conn);
    let set = this.users.get(id.userId);
    if (!set) {
      set = new Set();
      this.users.set(id.userId, set);
    }
    set.add(conn);
  }

  /** Removes the socket if it is still the one registered for its device. */
  remove(conn: Connection): boolean {
    const id = conn.identity;
    if (!id) return false;
    const set = this.users.get(id.userId);
    set?.delete(conn);
    if (set && set.size === 0) this.users.delete(id.userId);
    if (this.devices.get(id.deviceId) !== conn) return false;
    this.devices.delete(id.deviceId);
    return true;
  }

  /** Sends to every online socket of every member of a room, except one. */
  broadcastRoom(roomId: string, msg: RelayMessage, except?: Connection): void {
    const members = this.roomMembers(roomId);
    if (!members) return;
    const text = JSON.stringify(msg);
    for (const userId of members) this.sendToUserText(userId, text, except);
  }

  sendToUser(userId: string, msg: RelayMessage, except?: Connection): void {
    this.sendToUserText(userId, JSON.stringify(msg), except);
  }

  sendToUserText(userId: string, text: string, except?: Connection): void {
    const conns = this.users.get(userId);
    if (!conns) return;
    for (const c of conns) if (c !== except) c.sendText(text);
  }

  /** A device came or went: tell co-members of each of the user's rooms. */
  announce(conn: Connection, online: boolean): void {
    const id = conn.identity;
    if (!id) return;
    for (const room of this.#store.listRoomsOf(id.userId)) {
      this.broadcastRoom(
        room.id,
        { t: 'presence', roomId: room.id, userId: id.userId, deviceId: id.deviceId, online },
        conn,
      );
    }
  }

  /** Presence for every online device of a user, in one room. */
  announceUserInRoom(roomId: string, userId: string, online: boolean, except?: Connection): void {
    for (const deviceId of this.onlineDevices(userId)) {
      this.broadcastRoom(roomId, { t: 'presence', roomId, userId, deviceId, online }, except);
    }
  }
}
