/**
 * Keeps a room's mesh pointed at the member devices that are online: the
 * member list on start and after every (re)login, then the relay's presence
 * pushes as devices come and go. Presence is relay metadata — it only decides
 * whom we try to reach; every link still proves who is at the other end.
 */
import type { MemberInfoT } from '../../shared/protocol/relay-messages.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { RelayClient } from './relay-client.ts';

export class RoomPresence {
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
          if (msg.online) this.#mesh.memberOnline(m);
          else this.#mesh.memberOffline(msg.deviceId);
        } else if (msg.t === 'room.member' && msg.roomId === roomId) {
          void this.refresh().catch(() => {});
        }
      }),
    ];
  }

  members(): MemberInfoT[] {
    return [...this.#members.values()];
  }

  /** Reloads members and their online devices from the relay. */
  async refresh(): Promise<void> {
    const reply = await this.#relay.call(
      { t: 'room.members', roomId: this.roomId },
      'room.members.ok',
    );
    if (this.#closed) return;
    this.#members.clear();
    const online: MeshMember[] = [];
    for (const m of reply.members) {
      this.#members.set(m.userId, m);
      for (const deviceId of m.online)
        online.push({ deviceId, userId: m.userId, username: m.username });
    }
    this.#mesh.setOnline(online);
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#offs) off();
  }
}
