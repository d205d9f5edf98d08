/**
 * Keeps a room's mesh pointed at the member devices that are online: the
 * member list on start and after every (re)login, then the relay's presence
 * pushes as devices come and go. Presence is relay metadata — it only decides
 * whom we try to reach; every link still proves who is at the other end.
 */
import type { EpochEvent } from '../../shared/crypto/sender-keys.ts';
import type { MemberInfoT } from '../../shared/protocol/relay-messages.ts';
import { Emitter } from './emitter.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { RelayClient } from './relay-client.ts';

export type RoomPresenceEvents = {
  /** Users who stopped being members (after the member list reloaded). */
  removed: [userIds: string[], why: EpochEvent];
  /** The member list was reloaded. */
  members: [];
};

const REMOVALS: Record<string, EpochEvent> = { left: 'leave', kicked: 'kick', banned: 'ban' };

export class RoomPresence {
  readonly events = new Emitter<RoomPresenceEvents>();
  readonly roomId: string;
  readonly #relay: RelayClient;
  readonly #mesh: Mesh;
  readonly #members = new Map<string, MemberInfoT>();
  readonly #offs: Array<() => void>;
  #closed = false;

  constructor(relay: RelayClient, mesh: Mesh, roomId: string) {
    this.roomId = roomId;
    this.#relay = relay;
    this.#mesh = mesh;
    this.#offs = [
      relay.events.on('authed', () => void this.refresh().catch(() => {})),
      relay.events.on('push', (msg) => {
        if (msg.t === 'presence' && msg.roomId === roomId) {
          const member = this.#members.get(msg.userId);
          if (!member) {
            void this.refresh().catch(() => {});
            return;
          }
          const m: MeshMember = {
            deviceId: msg.deviceId,
            userId: msg.userId,
            username: member.username,
          };
          const others = member.online.filter((d) => d !== msg.deviceId);
          this.#members.set(msg.userId, {
            ...member,
            online: msg.online ? [...others, msg.deviceId] : others,
          });
          if (msg.online) this.#mesh.memberOnline(m);
          else this.#mesh.memberOffline(msg.deviceId);
          this.events.emit('members');
        } else if (msg.t === 'room.member' && msg.roomId === roomId) {
          const why = REMOVALS[msg.change];
          void this.refresh()
            .then((removed) => {
              if (why && removed.length) this.events.emit('removed', removed, why);
            })
            .catch(() => {});
        }
      }),
    ];
  }

  members(): MemberInfoT[] {
    return [...this.#members.values()];
  }

  isMember(userId: string): boolean {
    return this.#members.has(userId);
  }

  /** Reloads members and their online devices; returns users no longer members. */
  async refresh(): Promise<string[]> {
    const reply = await this.#relay.call(
      { t: 'room.members', roomId: this.roomId },
      'room.members.ok',
    );
    if (this.#closed) return [];
    const stillMembers = new Set(reply.members.map((m) => m.userId));
    const removed = [...this.#members.keys()].filter((id) => !stillMembers.has(id));
    for (const peer of this.#mesh.peers()) {
      if (!stillMembers.has(peer.userId)) this.#mesh.remove(peer.deviceId);
    }
    this.#members.clear();
    const online: MeshMember[] = [];
    for (const m of reply.members) {
      this.#members.set(m.userId, m);
      for (const deviceId of m.online)
        online.push({ deviceId, userId: m.userId, username: m.username });
    }
    this.#mesh.setOnline(online);
    this.events.emit('members');
    return removed;
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#offs) off();
    this.events.clear();
  }
}
