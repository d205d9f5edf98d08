/**
 * Which actions a member may take on another, as the relay enforces them
 * (and the membership chain will): the owner does everything to anyone but
 * themself; an admin kicks and bans plain members only (never the owner or
 * another admin); everyone may verify anyone's safety number. Nobody acts
 * on themself. The UI shows only what is allowed; the relay still decides.
 */
import type { Role } from './member-role.ts';

export type MemberAction = 'kick' | 'ban' | 'makeAdmin' | 'removeAdmin' | 'verify';

/** In menu order. */
export function allowedActions(
  myRole: Role,
  target: { role: Role; isMe: boolean },
): MemberAction[] {
  if (target.isMe) return [];
  const actions: MemberAction[] = [];
  const canRemove =
    myRole === 'owner' ? target.role !== 'owner' : myRole === 'admin' && target.role === 'member';
  if (canRemove) actions.push('kick', 'ban');
  if (myRole === 'owner' && target.role === 'member') actions.push('makeAdmin');
  if (myRole === 'owner' && target.role === 'admin') actions.push('removeAdmin');
  actions.push('verify');
  return actions;
}
