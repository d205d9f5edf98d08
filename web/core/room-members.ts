/**
 * A room's members as the UI shows them, one signal: each member's role,
 * whether any of their devices is online, how each device is reached
 * (direct, TURN, relay, or still connecting) and whether its link verified
 * it, and where we stand on trusting their identity key.
 *
 * Who is listed, and with which role, is the membership chain's word: a user
 * the relay lists is shown only once their pinned identity key is a member
 * by the chain (a member the relay invented never appears). The relay
 * supplies the username and which devices are online.
 */
import { computed, type ReadonlySignal, signal } from '@preact/signals-core';
import type { RoleT } from '../../shared/protocol/fields.ts';
import type { Mesh, PeerPath } from './mesh.ts';
import type { RoomChain } from './room-chain.ts';
import type { RoomPresence } from './room-presence.ts';
import type { TrustState, TrustStore } from './trust.ts';

export interface MemberDevice {
  deviceId: string;
  path: PeerPath;
  verified: boolean;
}

export interface MemberView {
  userId: string;
  username: string;
  role: RoleT;
  online: boolean;
  /** Our own devices are not listed (we do not link to ourselves). */
  devices: MemberDevice[];
  /** `unknown`: we have not seen their key yet. */
  trust: TrustState | 'unknown';
  isMe: boolean;
}

export function roomMembers(
  presence: RoomPresence,
  mesh: Mesh,
  trust: TrustStore,
  me: { userId: string; ik: string },
  chain: RoomChain,
): { members: ReadonlySignal<MemberView[]>; close(): void } {
  // A version counter: any source changing bumps it and the view recomputes.
  const version = signal(0);
  const bump = () => {
    version.value++;
  };
  const offs = [
    presence.events.on('members', bump),
    mesh.events.on('change', bump),
    trust.events.on('change', bump),
    chain.events.on('changed', bump),
  ];
  const members = computed(() => {
    void version.value;
    const peers = mesh.peers();
    const roleOf = (userId: string): RoleT | null => {
      const ik = userId === me.userId ? me.ik : trust.get(userId)?.ik;
      return ik ? chain.roleOf(ik) : null;
    };
    return presence
      .members()
      .flatMap((m): MemberView[] => {
        const role = roleOf(m.userId);
        if (!role) return [];
        const devices = peers
          .filter((p) => p.userId === m.userId)
          .map((p) => ({ deviceId: p.deviceId, path: p.path, verified: p.verified }));
        return [
          {
            userId: m.userId,
            username: m.username,
            role,
            online: m.online.length > 0,
            devices,
            trust: trust.get(m.userId)?.state ?? 'unknown',
            isMe: m.userId === me.userId,
          },
        ];
      })
      .sort((a, b) => Number(b.online) - Number(a.online) || a.username.localeCompare(b.username));
  });
  return {
    members,
    close() {
      for (const off of offs) off();
    },
  };
}
