/** Small pieces of a message: avatar, delivery mark, reactions, reply quote. */

import type { MessageView, Reaction } from '../../../core/history/message-view.ts';
import { locale } from '../../i18n/i18n.ts';
import { blocksText } from '../../markdown/markdown-ast.ts';
import { revealHidden } from '../../trust/visible-text.ts';
import { Icon } from '../icons.tsx';
import { tc } from '../strings.ts';
import type { Delivery } from './delivery.ts';
import { parsedText } from './parsed-text.ts';

const AVATAR_COLORS = 8;

/** A stable colour per identity key, from a small palette that works in every theme. */
export function avatarColor(ik: string): number {
  let h = 0;
  for (let i = 0; i < ik.length; i++) h = (h * 31 + ik.charCodeAt(i)) >>> 0;
  return h % AVATAR_COLORS;
}

export function Avatar({ ik, name }: { ik: string; name: string }) {
  const initial = [...name.trim()][0]?.toUpperCase() ?? '?';
  return (
    <span class={`conv-avatar conv-avatar--c${avatarColor(ik)}`} aria-hidden="true">
      {initial}
    </span>
  );
}

const MARK_ICON = {
  sending: 'clock',
  sent: 'check',
  delivered: 'checks',
  read: 'checks',
  failed: 'alert',
} as const;

export function DeliveryMark({ state }: { state: Delivery }) {
  const label = tc(`conv.status.${state}`);
  return (
    <span class={`conv-mark conv-mark--${state}`} role="img" aria-label={label} title={label}>
      <Icon name={MARK_ICON[state]} size={14} />
    </span>
  );
}

export function ReactionChips({
  reactions,
  myIk,
  nameOf,
  onToggle,
  onAdd,
  tabIndex,
}: {
  reactions: Reaction[];
  myIk: string | undefined;
  nameOf: (ik: string) => string;
  onToggle: (emoji: string, on: boolean) => void;
  onAdd: (anchor: HTMLElement) => void;
  tabIndex: number;
}) {
  if (reactions.length === 0) return null;
  const count = new Intl.NumberFormat(locale.value);
  return (
    <div class="conv-reactions">
      {reactions.map((r) => {
        const mine = myIk !== undefined && r.reactorIks.includes(myIk);
        const n = r.reactorIks.length;
        return (
          <button
            key={r.emoji}
            type="button"
            class={mine ? 'conv-reaction conv-reaction--mine' : 'conv-reaction'}
            aria-pressed={mine}
            aria-label={tc('conv.reaction', { emoji: r.emoji, count: n })}
            title={tc('conv.reactedBy', {
              emoji: r.emoji,
              names: r.reactorIks.map((ik) => nameOf(ik)).join(', '),
            })}
            tabIndex={tabIndex}
            onClick={() => onToggle(r.emoji, !mine)}
          >
            <span class="conv-reaction-emoji" aria-hidden="true">
              {r.emoji}
            </span>
            <span class="conv-reaction-count" aria-hidden="true">
              {count.format(n)}
            </span>
          </button>
        );
      })}
      {/* A mouse shortcut beside the chips; the toolbar's "Add reaction" is the named control. */}
      <button
        type="button"
        class="conv-reaction conv-reaction--add"
        aria-hidden="true"
        tabIndex={-1}
        title={tc('conv.addReaction')}
        onClick={(e) => onAdd(e.currentTarget)}
      >
        <Icon name="smilePlus" size={16} />
      </button>
    </div>
  );
}

const SNIPPET_CHARS = 140;

/** One line of a message as plain text (quotes, previews). */
export function messageSnippet(message: MessageView): string {
  if (message.deleted) return tc('conv.replyDeleted');
  if (message.file) return revealHidden(message.file.name);
  return blocksText(parsedText(message.text)).replace(/\s+/g, ' ').slice(0, SNIPPET_CHARS);
}

/** The message a dialog is about (delete), quoted. */
export function MessagePreview({ message, author }: { message: MessageView; author: string }) {
  return (
    <figure class="conv-preview">
      <figcaption class="conv-preview-author">{author}</figcaption>
      <p class="conv-preview-text">{messageSnippet(message)}</p>
    </figure>
  );
}

export function ReplyQuote({
  original,
  nameOf,
  onJump,
  tabIndex,
}: {
  original: MessageView | undefined;
  nameOf: (ik: string, device?: string) => string;
  onJump: () => void;
  tabIndex: number;
}) {
  let snippet: string;
  if (!original) snippet = tc('conv.replyMissing');
  else if (original.deleted) snippet = tc('conv.replyDeleted');
  else if (original.file) snippet = revealHidden(original.file.name);
  else snippet = blocksText(parsedText(original.text)).replace(/\s+/g, ' ').slice(0, SNIPPET_CHARS);
  // The button holds only the icon and is stretched over the whole quote
  // (CSS ::after): its name stays "Go to replied message" while the quoted
  // author and text are read as part of the message, not hidden behind a
  // label that does not contain them (WCAG 2.5.3, label in name).
  return (
    <div class="conv-reply-quote">
      <button
        type="button"
        class="conv-reply-jump"
        aria-label={tc('conv.goToReplied')}
        tabIndex={tabIndex}
        onClick={onJump}
      >
        <Icon name="reply" size={14} />
      </button>
      {original ? (
        <span class="conv-reply-author">{nameOf(original.authorIk, original.authorDevice)}</span>
      ) : null}
      <span class="conv-reply-text">{snippet}</span>
    </div>
  );
}
