/**
 * A room's members beside the conversation (an overlay on narrow screens):
 * who is here, online or not, their role, how we reach them, whether we
 * verified their safety number; and per member the moderation actions my
 * role allows (moderation-rules.ts). Kick and ban are confirmed first;
 * "Verify safety number" opens the safety-number dialog.
 */
import { useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import type { MemberView } from '../../core/room-members.ts';
import { Icon } from '../common/icon.tsx';
import { errorMessage } from '../errors/error-message.ts';
import { intlLocale } from '../i18n/i18n.ts';
import { SafetyNumberDialog } from '../trust/safety-number-dialog.tsx';
import { ConfirmRemoval } from './confirm-removal.tsx';
import { myRole } from './member-role.ts';
import { MemberRow } from './member-row.tsx';
import type { MemberAction } from './moderation-rules.ts';
import { tm } from './strings.ts';
import '../common/common.css';
import './members.css';

export interface MembersPanelProps {
  client: ParleyClient;
  roomId: string;
  onClose: () => void;
}

type Pending =
  | { kind: 'confirm'; action: 'kick' | 'ban'; member: MemberView }
  | { kind: 'verify'; member: MemberView };

export function MembersPanel({ client, roomId, onClose }: MembersPanelProps) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<string | null>(null);
  const members = client.room(roomId)?.members.value ?? [];
  const mine = myRole(members);
  const online = members.filter((m) => m.online).length;

  const report = (work: Promise<void>) =>
    work.catch((e: unknown) => setError(tm('members.failed', { message: errorMessage(e) })));

  const onAction = (action: MemberAction, member: MemberView) => {
    setError(null);
    if (action === 'kick' || action === 'ban') setPending({ kind: 'confirm', action, member });
    else if (action === 'verify') setPending({ kind: 'verify', member });
    else report(client.setRole(roomId, member.userId, action === 'makeAdmin' ? 'admin' : 'member'));
  };

  return (
    <aside
      class="members-panel"
      aria-label={tm('members.title')}
      onKeyDown={(event) => {
        // Escape closes the overlay, unless a menu or dialog inside handled it first.
        if (event.key === 'Escape' && !event.defaultPrevented && !pending) onClose();
      }}
    >
      <header class="members-head">
        <div class="members-heading">
          <h2 class="members-title">{tm('members.title')}</h2>
          <span class="members-count">
            {tm(
              new Intl.PluralRules(intlLocale.value).select(members.length) === 'one'
                ? 'members.count.one'
                : 'members.count.other',
              { online, total: members.length },
            )}
          </span>
        </div>
        <button type="button" class="icon-btn" aria-label={tm('members.close')} onClick={onClose}>
          <Icon name="close" />
        </button>
      </header>
      {error ? (
        <p class="members-error" role="alert">
          {error}
        </p>
      ) : null}
      <ul class="members-list">
        {members.map((m) => (
          <MemberRow key={m.userId} member={m} myRole={mine} onAction={onAction} />
        ))}
      </ul>
      {members.length <= 1 ? <p class="members-empty">{tm('members.empty')}</p> : null}
      {pending?.kind === 'confirm' ? (
        <ConfirmRemoval
          action={pending.action}
          username={pending.member.username}
          onConfirm={() =>
            report(
              pending.action === 'kick'
                ? client.kick(roomId, pending.member.userId)
                : client.ban(roomId, pending.member.userId),
            )
          }
          onClose={() => setPending(null)}
        />
      ) : null}
      {pending?.kind === 'verify' ? (
        <SafetyNumberDialog
          client={client}
          userId={pending.member.userId}
          username={pending.member.username}
          onClose={() => setPending(null)}
        />
      ) : null}
    </aside>
  );
}
