/**
 * The navigation "Conversations": who I am, the connection, actions to
 * start or join something, then rooms and direct messages with unread
 * counts. Selecting a link changes the hash route.
 */
import type { ReadonlySignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import type { ConversationSummary, ParleyClient } from '../../core/client.ts';
import type { ConnectionView } from '../app/connection.ts';
import { navigate } from '../app/route.ts';
import { ts } from '../app/strings.ts';
import { Avatar } from '../common/avatar.tsx';
import { Icon } from '../common/icon.tsx';
import { ShownName } from '../common/shown-name.tsx';
import { BrandMark } from '../onboarding/onboarding-frame.tsx';
import { ConnectionStatus } from './connection-status.tsx';
import { ConversationLink } from './conversation-link.tsx';
import './sidebar.css';

export interface SidebarProps {
  client: ParleyClient;
  username: string;
  selectedId: string | null;
  connection: ReadonlySignal<ConnectionView>;
  onNewRoom: () => void;
  onJoinRoom: () => void;
  onNewDm: () => void;
}

/** Closing Settings hands focus back to this button when nothing else holds it. */
export const SETTINGS_BUTTON_CLASS = 'sb-settings';

function Section({
  title,
  empty,
  items,
  selectedId,
  action,
}: {
  title: string;
  empty: string;
  items: ConversationSummary[];
  selectedId: string | null;
  action?: ComponentChildren;
}) {
  const id = useId();
  return (
    <section class="sb-section" aria-labelledby={id}>
      <div class="sb-section-head">
        <h2 class="sb-heading" id={id}>
          {title}
        </h2>
        {action}
      </div>
      {items.length === 0 ? (
        <p class="sb-empty">{empty}</p>
      ) : (
        <ul class="sb-list" aria-labelledby={id}>
          {items.map((summary) => (
            <ConversationLink
              key={summary.convId}
              summary={summary}
              selected={summary.convId === selectedId}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function byActivity(a: ConversationSummary, b: ConversationSummary): number {
  return b.lastActivityTs - a.lastActivityTs || a.title.localeCompare(b.title);
}

/** Rooms then DMs, each newest first: the order the sidebar shows (and Alt+↑/↓ walks). */
export function sidebarOrder(all: readonly ConversationSummary[]): {
  rooms: ConversationSummary[];
  dms: ConversationSummary[];
} {
  return {
    rooms: all.filter((c) => c.kind === 'room').sort(byActivity),
    dms: all.filter((c) => c.kind === 'dm').sort(byActivity),
  };
}

export function Sidebar(props: SidebarProps) {
  const { rooms, dms } = sidebarOrder(props.client.conversations.value);
  return (
    <nav class="sb" aria-label={ts('shell.conversations')}>
      <div class="sb-top">
        <BrandMark />
        <button
          type="button"
          class={`icon-btn ${SETTINGS_BUTTON_CLASS}`}
          aria-label={ts('shell.settings')}
          title={ts('shell.settings')}
          onClick={() => navigate({ name: 'settings' })}
        >
          <Icon name="settings" />
        </button>
      </div>
      <div class="sb-actions">
        <button type="button" class="btn sb-action" onClick={props.onNewRoom}>
          <Icon name="plus" size={18} />
          {ts('shell.newRoom')}
        </button>
        <button type="button" class="btn sb-action" onClick={props.onJoinRoom}>
          <Icon name="login" size={18} />
          {ts('shell.joinRoom')}
        </button>
      </div>
      <div class="sb-scroll">
        <Section
          title={ts('shell.rooms')}
          empty={ts('shell.noRooms')}
          items={rooms}
          selectedId={props.selectedId}
        />
        <Section
          title={ts('shell.dms')}
          empty={ts('shell.noDms')}
          items={dms}
          selectedId={props.selectedId}
          action={
            <button
              type="button"
              class="icon-btn sb-section-action"
              aria-label={ts('shell.newDm')}
              title={ts('shell.newDm')}
              onClick={props.onNewDm}
            >
              <Icon name="plus" size={18} />
            </button>
          }
        />
      </div>
      <div class="sb-me">
        <Avatar name={props.username} />
        <span class="sb-me-name">
          <ShownName name={props.username} />
        </span>
        <ConnectionStatus view={props.connection} />
      </div>
    </nav>
  );
}
