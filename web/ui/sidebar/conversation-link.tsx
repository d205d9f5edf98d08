/**
 * One conversation in the sidebar: its name, last words, unread count.
 *
 * The link's accessible name is what it shows, "general" or, with unread
 * messages, "general, 3 unread" (the count is visually a badge; the name
 * then comes from a visually hidden copy, the visible title being hidden
 * from assistive technology so it is not read twice). The preview line sits beside the link, not in it:
 * a name that differed from the visible text (WCAG 2.5.3) would leave
 * speech-input users saying what they see ("click bob: see you") with
 * nothing to click. CSS lays the preview over the link's second row and
 * lets clicks pass through, so the whole row still opens the conversation.
 */
import type { ConversationSummary } from '../../core/client.ts';
import { formatRoute } from '../app/route.ts';
import { ts } from '../app/strings.ts';
import { Avatar } from '../common/avatar.tsx';
import { ShownName } from '../common/shown-name.tsx';
import { intlLocale } from '../i18n/i18n.ts';
import { revealHidden } from '../trust/visible-text.ts';

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
  const classes = [
    'sb-item',
    unread > 0 ? 'sb-item-unread' : '',
    preview ? 'sb-item-with-preview' : '',
  ];
  return (
    <li class={classes.filter(Boolean).join(' ')}>
      <a
        class="sb-link"
        href={formatRoute(
          kind === 'room' ? { name: 'room', id: convId } : { name: 'dm', id: convId },
        )}
        aria-current={selected ? 'page' : undefined}
      >
        <Avatar name={title} kind={kind === 'room' ? 'room' : 'user'} />
        {unread > 0 ? (
          <>
            {/* The name is one hidden copy: a separate ", 3 unread" span is out of flow,
                and name computation pads it with spaces ("general , 3 unread"). */}
            <span class="sb-link-title" aria-hidden="true">
              <ShownName name={title} />
            </span>
            <span class="sr-only">
              {`${revealHidden(title)}, ${ts('shell.unread', { count })}`}
            </span>
          </>
        ) : (
          <span class="sb-link-title">
            <ShownName name={title} />
          </span>
        )}
        {unread > 0 ? (
          <span class="badge" aria-hidden="true">
            {unread > MAX_BADGE ? `${MAX_BADGE}+` : count}
          </span>
        ) : null}
      </a>
      {preview ? <span class="sb-link-preview">{preview}</span> : null}
    </li>
  );
}
