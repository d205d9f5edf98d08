import { describe, expect, it } from 'vitest';
import type { MemberDevice } from '../../../../../web/core/room-members.ts';
import { memberConnection } from '../../../../../web/ui/members/connection-label.ts';
import type { Role } from '../../../../../web/ui/members/member-role.ts';
import { allowedActions } from '../../../../../web/ui/members/moderation-rules.ts';

const other = (role: Role) => ({ role, isMe: false });

describe('the moderation actions each role is offered', () => {
  it('an owner can kick, ban, promote and verify a member', () => {
    expect(allowedActions('owner', other('member'))).toEqual([
      'kick',
      'ban',
      'makeAdmin',
      'verify',
    ]);
  });

  it('an owner can kick, ban, demote and verify an admin', () => {
    expect(allowedActions('owner', other('admin'))).toEqual([
      'kick',
      'ban',
      'removeAdmin',
      'verify',
    ]);
  });

  it('an admin can kick and ban members but not the owner or another admin', () => {
    expect(allowedActions('admin', other('member'))).toEqual(['kick', 'ban', 'verify']);
    expect(allowedActions('admin', other('admin'))).toEqual(['verify']);
    expect(allowedActions('admin', other('owner'))).toEqual(['verify']);
  });

  it('a member can only verify safety numbers', () => {
    for (const role of ['owner', 'admin', 'member'] as const)
      expect(allowedActions('member', other(role))).toEqual(['verify']);
  });

  it('nobody is offered actions on themself', () => {
    for (const role of ['owner', 'admin', 'member'] as const)
      expect(allowedActions(role, { role, isMe: true })).toEqual([]);
  });

  it('no role change is ever offered to anyone but the owner', () => {
    for (const mine of ['admin', 'member'] as const)
      for (const target of ['owner', 'admin', 'member'] as const) {
        const actions = allowedActions(mine, other(target));
        expect(actions).not.toContain('makeAdmin');
        expect(actions).not.toContain('removeAdmin');
      }
  });
});

describe('how a member is reached', () => {
  const device = (path: MemberDevice['path']): MemberDevice => ({
    deviceId: path,
    path,
    verified: true,
  });

  it('shows the best path among their devices', () => {
    expect(memberConnection([device('relay'), device('direct')])).toBe('direct');
    expect(memberConnection([device('relay'), device('turn')])).toBe('turn');
    expect(memberConnection([device('connecting'), device('relay')])).toBe('relay');
    expect(memberConnection([device('connecting')])).toBe('connecting');
    expect(memberConnection([])).toBeNull();
  });
});
