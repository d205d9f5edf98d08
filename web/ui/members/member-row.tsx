/**
 * One member: avatar with a presence dot, name, and what the list promises
 * in its text — online/offline, role, how they are reached, Verified — then
 * the actions menu with only what my role allows.
 */
import type { MemberView } from '../../core/room-members.ts';
import { Avatar } from '../common/avatar.tsx';
import { ActionsMenu, type MenuItem } from './actions-menu.tsx';
import { memberConnection } from './connection-label.ts';
import { memberRole, type Role } from './member-role.ts';
import { allowedActions, type MemberAction } from './moderation-rules.ts';
import { tm } from './strings.ts';

const ACTION_LABEL = {
  kick: 'members.kick',
  ban: 'members.ban',
  makeAdmin: 'members.makeAdmin',
  removeAdmin: 'members.removeAdmin',
  verify: 'members.verify',
} as const;

export function MemberRow(props: {
  member: MemberView;
  myRole: Role;
  onAction: (action: MemberAction, member: MemberView) => void;
}) {
  const { member: m } = props;
  const role = memberRole(m);
  const connection = m.online ? memberConnection(m.devices) : null;
  const items: MenuItem[] = allowedActions(props.myRole, { role, isMe: m.isMe }).map((action) => ({
    id: action,
    label: tm(ACTION_LABEL[action]),
    danger: action === 'kick' || action === 'ban',
  }));
  return (
    <li class={`members-item${m.online ? ' members-item--online' : ''}`}>
      <span class="members-avatar">
        <Avatar name={m.username} />
        <span class="members-presence" aria-hidden="true" />
      </span>
      <div class="members-info">
        <span class="members-name" title={m.username}>
          {m.username}
          {m.isMe ? <span class="members-you"> {tm('members.you')}</span> : null}
        </span>
        <span class="members-meta">
          <span class="members-status">
            {m.online ? tm('members.online') : tm('members.offline')}
          </span>
          {connection ? (
            <>
              <span aria-hidden="true"> · </span>
              <span class={`members-path members-path--${connection}`}>
                {tm(`members.path.${connection}`)}
              </span>
            </>
          ) : null}
          {role !== 'member' ? (
            <>
              {' '}
              <span class={`members-tag members-tag--${role}`}>{tm(`members.role.${role}`)}</span>
            </>
          ) : null}
          {m.trust === 'verified' ? (
            <>
              {' '}
              <span class="members-tag members-tag--verified">{tm('members.verified')}</span>
            </>
          ) : null}
          {m.trust === 'changed' ? (
            <>
              {' '}
              <span class="members-tag members-tag--changed">{tm('members.keyChanged')}</span>
            </>
          ) : null}
        </span>
      </div>
      <ActionsMenu
        label={tm('members.actionsFor', { username: m.username })}
        items={items}
        onSelect={(id) => props.onAction(id as MemberAction, m)}
      />
    </li>
  );
}
