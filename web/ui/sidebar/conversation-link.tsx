/** One conversation in the sidebar: its name, last words, unread count. */
import type { ConversationSummary } from '../../core/client.ts';
import { formatRoute } from '../app/route.ts';
import { ts } from '../app/strings.ts';
import { Avatar } from '../common/avatar.tsx';
import { intlLocale } from '../i18n/i18n.ts';

const MAX_BADGE = 99;

export function ConversationLink({
  summary,
  selected,
}: {
  summary: ConversationSummary;
  selected: boolean;
}) {
  const { convId, kind, title, unread, preview } = summary;
  const count = new Intl.NumberFormat(intlLocale.value).format(unread);
  const name = unread > 0 ? `${title}, ${ts('shell.unread', { count })}` : title;
  return (
    <li>
      <a
        class={`sb-link${unread > 0 ? ' sb-link-unread' : ''}`}
        href={formatRoute(
          kind === 'room' ? { name: 'room', id: convId } : { name: 'dm', id: convId },
        )}
        aria-current={selected ? 'page' : undefined}
        aria-label={name}
      >
        <Avatar name={title} kind={kind === 'room' ? 'room' : 'user'} />
        <span class="sb-link-text">
          <span class="sb-link-title">{title}</span>
          {preview ? <span class="sb-link-preview">{preview}</span> : null}
        </span>
        {unread > 0 ? (
          <span class="badge" aria-hidden="true">
            {unread > MAX_BADGE ? `${MAX_BADGE}+` : count}
          </span>
        ) : null}
      </a>
    </li>
  );
}
