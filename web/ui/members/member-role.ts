/**
 * The one place that reads a member's role. Today it is the relay's word
 * (`MemberView.role`); once the signed membership chain lands (web/core
 * README "Not done yet") the chain's role replaces it here and nowhere else,
 * so a lying relay cannot promote anyone in the UI either.
 */
import type { MemberView } from '../../core/room-members.ts';

export type Role = 'owner' | 'admin' | 'member';

export function memberRole(member: MemberView): Role {
  return member.role;
}

/** My own role in the room: the member flagged `isMe`, else a plain member. */
export function myRole(members: readonly MemberView[]): Role {
  const me = members.find((m) => m.isMe);
  return me ? memberRole(me) : 'member';
}
