/**
 * A room or DM: header (name, SHELL's actions, find), the virtualized
 * message list, typing, the key-change banner and the composer. SHELL mounts
 * it for the selected conversation (web/ui contract).
 */
import type { ComponentChildren } from 'preact';
import type { ParleyClient } from '../../core/client.ts';
import type { HistoryStore } from '../../core/history/history-store.ts';
import { revealHidden } from '../trust/visible-text.ts';
import { ConversationPane } from './conversation-pane.tsx';
import { Icon } from './icons.tsx';
import { tc } from './strings.ts';
import './conversation.css';

export interface ConversationViewProps {
  client: ParleyClient;
  convId: string;
  title: string;
  kind: 'room' | 'dm';
  headerActions?: ComponentChildren;
  onOpenMembers?: () => void;
  /**
   * Optional: the history store, so "Find in conversation" searches the
   * whole conversation on disk, not only the loaded messages.
   */
  history?: Pick<HistoryStore, 'find'>;
}

export function ConversationView(props: ConversationViewProps) {
  const conversation = props.client.conversation(props.convId);
  if (!conversation) {
    // Subscribes to the list (only here), so a conversation still opening shows up once it has.
    void props.client.conversations.value;
    return (
      <section class="conv-view" aria-label={revealHidden(props.title)}>
        <ConversationHeader title={props.title} kind={props.kind} actions={props.headerActions} />
      </section>
    );
  }
  // Keyed by conversation: switching starts fresh (scroll, modes, find), drafts excepted.
  return <ConversationPane key={props.convId} {...props} conversation={conversation} />;
}

export function ConversationHeader(props: {
  title: string;
  kind: 'room' | 'dm';
  actions?: ComponentChildren;
  extra?: ComponentChildren;
}) {
  return (
    <header class="conv-header">
      <span
        class="conv-header-kind"
        role="img"
        aria-label={props.kind === 'room' ? tc('conv.kindRoom') : tc('conv.kindDm')}
      >
        <Icon name={props.kind === 'room' ? 'hash' : 'at'} size={18} />
      </span>
      {/* A room name is its creator's choice: bidi tricks and invisible characters are shown, and isolated. */}
      <h1 class="conv-title">
        <bdi>{revealHidden(props.title)}</bdi>
      </h1>
      <div class="conv-header-actions">
        {props.actions}
        {props.extra}
      </div>
    </header>
  );
}
