/**
 * Who in a room may hold its sender keys and be heard, as the room session
 * (room-session.ts) asks it: in the app the room's signed chain
 * (room-chain.ts), never the relay's list; and which of the mesh's linked
 * devices that makes members — a device counts only once its link verified
 * an identity key the membership names.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import type { EpochEvent } from '../../shared/crypto/sender-keys.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { RoomPresence } from './room-presence.ts';

/** Who may hold the room's keys and be heard; a removal starts a new epoch. */
export interface RoomMembership {
  isMember(peer: { userId: string; ik: string }): boolean;
  /** Nothing is sent while this device's own identity is not a member. */
  selfIsMember(): boolean;
  /** `removed`: someone stopped being a member (rotate). */
  onChange(listener: (removed: EpochEvent | null) => void): () => void;
}

/**
 * The relay's member list as the authority: only for tests of the transport
 * layer below rooms. The app passes the signed chain (room-runtime.ts).
 */
export function relayMembership(presence: RoomPresence): RoomMembership {
  return {
    isMember: (peer) => presence.isMember(peer.userId),
    selfIsMember: () => true,
    onChange: (listener) => presence.events.on('removed', (_users, why) => listener(why)),
  };
}

/** The mesh's linked devices, seen through the room's membership. */
export class RoomMemberLinks {
  readonly #mesh: Mesh;
  readonly #membership: RoomMembership;

  constructor(mesh: Mesh, membership: RoomMembership) {
    this.#mesh = mesh;
    this.#membership = membership;
  }

  selfIsMember(): boolean {
    return this.#membership.selfIsMember();
  }

  /** Devices with a verified link whose identity is a member now (none while we are not). */
  devices(): string[] {
    if (!this.#membership.selfIsMember()) return [];
    return this.#mesh
      .peers()
      .filter((p) => p.verified && this.isMember(p))
      .map((p) => p.deviceId);
  }

  isMember(member: MeshMember): boolean {
    const peer = this.#mesh.peerIdentity(member.deviceId);
    return this.#membership.isMember({
      userId: member.userId,
      ik: peer ? toB64(peer.ikPk) : '',
    });
  }
}
