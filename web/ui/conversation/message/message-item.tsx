/**
 * One message: role "article" named "{author}, {time}" (", mentions you"
 * when it does), its text from the Markdown AST or its file, the edited
 * marker or the deleted placeholder, the reply quote, reactions, my delivery
 * mark, and the action buttons (always in the DOM; shown on hover or focus).
 */
import type { ParleyClient } from '../../../core/client.ts';
import type { MessageView } from '../../../core/history/message-view.ts';
import { FileAttachment } from '../../files/file-attachment.tsx';
import { locale } from '../../i18n/i18n.ts';
import { Icon } from '../icons.tsx';
import type { People } from '../people.ts';
import { tc } from '../strings.ts';
import { deliveryOf } from './delivery.ts';
import { isJumboEmoji, MarkdownView, mentionsUser } from './markdown-view.tsx';
import { Avatar, DeliveryMark, ReactionChips, ReplyQuote } from './message-parts.tsx';
import { parsedText } from './parsed-text.ts';

export interface MessageActions {
  reply(message: MessageView): void;
  edit(message: MessageView): void;
  remove(message: MessageView): void;
  pickReaction(message: MessageView, anchor: HTMLElement): void;
  toggleReaction(message: MessageView, emoji: string, on: boolean): void;
  jumpTo(messageId: string): void;
  /** Roving focus: this message took focus, or the arrow keys move it. */
  focused(messageId: string): void;
  moveFocus(messageId: string, step: -1 | 1): void;
}

export interface MessageItemProps {
  client: ParleyClient;
  convId: string;
  message: MessageView;
  groupStart: boolean;
  people: People;
  /** null: not a reply; undefined: the original is not loaded. */
  repliedTo: MessageView | null | undefined;
  /** The roving tab stop of the list. */
  active: boolean;
  highlighted: boolean;
  editing: boolean;
  /** Find in conversation's query, marked in the text. */
  mark?: string | undefined;
  actions: MessageActions;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();
const fullFormats = new Map<string, Intl.DateTimeFormat>();

export function formatTime(ts: number, lang: string): string {
  let f = timeFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { hour: 'numeric', minute: '2-digit' });
    timeFormats.set(lang, f);
  }
  return f.format(ts);
}

function formatFull(ts: number, lang: string): string {
  let f = fullFormats.get(lang);
  if (!f) {
    f = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'short' });
    fullFormats.set(lang, f);
  }
  return f.format(ts);
}

export function MessageItem(props: MessageItemProps) {
  const { message: m, people, actions, active } = props;
  const lang = locale.value;
  const author = people.nameOf(m.authorIk, m.authorDevice);
  const time = formatTime(m.ts, lang);
  const mine = people.isMine(m);
  const blocks = m.deleted || m.file ? [] : parsedText(m.text);
  const mentionsMe = !mine && mentionsUser(blocks, people.myUsername);
  const canEdit = mine && !m.deleted && !m.file;
  const canDelete = !m.deleted && (mine || people.canModerate);
  const tab = active ? 0 : -1;

  const classes = ['conv-msg'];
  if (props.groupStart) classes.push('conv-msg--start');
  if (mentionsMe) classes.push('conv-msg--mention');
  if (props.highlighted) classes.push('conv-msg--highlight');
  if (props.editing) classes.push('conv-msg--editing');
  if (m.local?.state === 'pending') classes.push('conv-msg--pending');

  const label =
    tc('conv.articleLabel', { author, time }) + (mentionsMe ? tc('conv.mentionsYou') : '');
  const edited =
    m.edited && !m.deleted ? <span class="conv-edited">{tc('conv.edited')}</span> : null;

  let body: preact.ComponentChildren;
  if (m.deleted) body = <p class="conv-deleted">{tc('conv.deleted')}</p>;
  else if (m.file)
    body = <FileAttachment client={props.client} convId={props.convId} message={m} />;
  else
    body = (
      <div class={isJumboEmoji(m.text) ? 'conv-text conv-text--jumbo' : 'conv-text'}>
        <MarkdownView
          blocks={blocks}
          myUsername={people.myUsername}
          mark={props.mark}
          trailing={edited ? [' ', edited] : null}
        />
      </div>
    );

  return (
    <article
      class={classes.join(' ')}
      aria-label={label}
      data-message-id={m.id}
      tabIndex={tab}
      onFocus={(e) => {
        if (e.target === e.currentTarget) actions.focused(m.id);
      }}
      onKeyDown={(e) => {
        if (e.target !== e.currentTarget) return;
        if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
          e.preventDefault();
          actions.moveFocus(m.id, e.key === 'ArrowUp' ? -1 : 1);
        }
      }}
    >
      <div class="conv-msg-gutter">
        {props.groupStart ? (
          <Avatar ik={m.authorIk} name={author} />
        ) : (
          <time class="conv-msg-hovertime" dateTime={new Date(m.ts).toISOString()}>
            {time}
          </time>
        )}
      </div>
      <div class="conv-msg-main">
        {props.groupStart ? (
          <div class="conv-msg-header">
            <span class="conv-msg-author">{author}</span>
            <time
              class="conv-msg-time"
              dateTime={new Date(m.ts).toISOString()}
              title={formatFull(m.ts, lang)}
            >
              {time}
            </time>
          </div>
        ) : null}
        {props.repliedTo !== null && !m.deleted ? (
          <ReplyQuote
            original={props.repliedTo}
            nameOf={people.nameOf}
            tabIndex={tab}
            onJump={() => m.replyTo && actions.jumpTo(m.replyTo)}
          />
        ) : null}
        {body}
        {!m.deleted ? (
          <ReactionChips
            reactions={m.reactions}
            myIk={people.myIk}
            nameOf={people.nameOf}
            tabIndex={tab}
            onToggle={(emoji, on) => actions.toggleReaction(m, emoji, on)}
            onAdd={(anchor) => actions.pickReaction(m, anchor)}
          />
        ) : null}
      </div>
      {mine && !m.deleted ? <DeliveryMark state={deliveryOf(m)} /> : null}
      {!m.deleted ? (
        <div class="conv-msg-actions" role="toolbar" aria-label={tc('conv.messageActions')}>
          <ActionButton
            icon="smilePlus"
            label={tc('conv.addReaction')}
            tabIndex={tab}
            onClick={(e) => actions.pickReaction(m, e.currentTarget)}
          />
          <ActionButton
            icon="reply"
            label={tc('conv.reply')}
            tabIndex={tab}
            onClick={() => actions.reply(m)}
          />
          {canEdit ? (
            <ActionButton
              icon="pencil"
              label={tc('conv.edit')}
              tabIndex={tab}
              onClick={() => actions.edit(m)}
            />
          ) : null}
          {canDelete ? (
            <ActionButton
              icon="trash"
              label={tc('conv.delete')}
              tabIndex={tab}
              danger
              onClick={() => actions.remove(m)}
            />
          ) : null}
        </div>
      ) : null}
    </article>
  );
}

function ActionButton(props: {
  icon: 'smilePlus' | 'reply' | 'pencil' | 'trash';
  label: string;
  tabIndex: number;
  danger?: boolean;
  onClick: (e: MouseEvent & { currentTarget: HTMLButtonElement }) => void;
}) {
  return (
    <button
      type="button"
      class={props.danger ? 'conv-action conv-action--danger' : 'conv-action'}
      aria-label={props.label}
      title={props.label}
      tabIndex={props.tabIndex}
      onClick={props.onClick}
    >
      <Icon name={props.icon} />
    </button>
  );
}
