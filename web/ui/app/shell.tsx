/**
 * The signed-in app: sidebar, the open conversation, the members panel
 * beside it, and the dialogs. Loaded lazily with the engine (session.ts).
 * On phones one pane shows at a time: the list, or the conversation with a
 * way back.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Icon } from '../common/icon.tsx';
import { Spinner } from '../common/spinner.tsx';
import { ConversationView } from '../conversation/conversation-view.tsx';
import { errorMessage } from '../errors/error-message.ts';
import { MembersPanel } from '../members/members-panel.tsx';
import { clearNotices, reportBackgroundError } from '../notifications/background-errors.ts';
import { notifyOnNewMessages } from '../notifications/desktop-notifier.ts';
import { NoticeStack } from '../notifications/notice-stack.tsx';
import { NotifyPrompt } from '../notifications/notify-prompt.tsx';
import { announceRoomRemovals } from '../notifications/room-removed.ts';
import { syncUnreadTitle } from '../notifications/unread-title.ts';
import { JoinRoomDialog, joinAndOpen } from '../rooms/join-room-dialog.tsx';
import { NewDmDialog } from '../rooms/new-dm-dialog.tsx';
import { NewRoomDialog } from '../rooms/new-room-dialog.tsx';
import { DmActions, RoomActions } from '../rooms/room-actions.tsx';
import { SettingsPage } from '../settings/settings-page.tsx';
import { OfflineBanner } from '../sidebar/connection-status.tsx';
import { Sidebar, sidebarOrder } from '../sidebar/sidebar.tsx';
import { SafetyNumberDialog } from '../trust/safety-number-dialog.tsx';
import { connectionView } from './connection.ts';
import { type Engine, keepPrekeysFresh } from './engine.ts';
import { leaveSettings, navigate, type Route, route } from './route.ts';
import { ts } from './strings.ts';
import './app.css';

type OpenDialog = 'newRoom' | 'joinRoom' | 'newDm' | null;

/**
 * Leaving the page (reload, tab closed) closes the engine: peers see the
 * links end at once instead of waiting for a timeout, and the relay socket
 * says goodbye. A page restored from the back/forward cache reloads, since
 * its links are gone.
 */
function closeOnPageHide(client: Engine['client']): () => void {
  const onHide = () => client.close();
  const onShow = (event: PageTransitionEvent) => {
    if (event.persisted) location.reload();
  };
  window.addEventListener('pagehide', onHide);
  window.addEventListener('pageshow', onShow);
  return () => {
    window.removeEventListener('pagehide', onHide);
    window.removeEventListener('pageshow', onShow);
  };
}

/** Alt+↑ / Alt+↓ open the previous / next conversation in sidebar order, from anywhere. */
function switchWithKeyboard(client: Engine['client']): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    if (document.querySelector('dialog[open]')) return;
    const { rooms, dms } = sidebarOrder(client.conversations.value);
    const order = [...rooms, ...dms];
    if (order.length === 0) return;
    const current = route.value;
    const at = order.findIndex(
      (c) => (current.name === 'room' || current.name === 'dm') && c.convId === current.id,
    );
    const step = event.key === 'ArrowUp' ? -1 : 1;
    const next = order[at < 0 ? 0 : (at + step + order.length) % order.length];
    if (!next) return;
    event.preventDefault();
    navigate({ name: next.kind === 'room' ? 'room' : 'dm', id: next.convId });
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}

function EmptyState({ hasConversations }: { hasConversations: boolean }) {
  return (
    <div class="app-empty">
      <span class="app-empty-mark" aria-hidden="true">
        <Icon name="message" size={28} />
      </span>
      <h1 class="app-empty-title">{ts('shell.emptyTitle')}</h1>
      <p class="app-empty-body">
        {hasConversations ? ts('shell.emptyPick') : ts('shell.emptyBody')}
      </p>
    </div>
  );
}

/** Opening an invite link while signed in joins the room, then shows it. */
function JoinRoute({ engine, to }: { engine: Engine; to: Extract<Route, { name: 'join' }> }) {
  const [error, setError] = useState<unknown>(null);
  const started = useRef<string | null>(null);
  useEffect(() => {
    const key = `${to.roomId}/${to.invite ?? ''}`;
    if (started.current === key) return;
    started.current = key;
    setError(null);
    joinAndOpen(engine.client, to.roomId, to.invite).catch(setError);
  }, [engine, to.roomId, to.invite]);
  return (
    <div class="app-empty">
      {error ? (
        <>
          <h1 class="app-empty-title">{ts('shell.joinFailed')}</h1>
          <p class="form-error" role="alert">
            {errorMessage(error)}
          </p>
        </>
      ) : (
        <p class="app-empty-body app-busy" role="status">
          <Spinner />
          {ts('shell.joiningRoom')}
        </p>
      )}
    </div>
  );
}

export default function Shell({ engine }: { engine: Engine }) {
  const { client } = engine;
  const account = engine.session.account;
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [membersOpen, setMembersOpen] = useState(false);
  const [verifying, setVerifying] = useState<{ userId: string; username: string } | null>(null);
  const connection = useMemo(() => connectionView(client), [client]);

  useEffect(() => syncUnreadTitle(client), [client]);
  useEffect(() => switchWithKeyboard(client), [client]);
  useEffect(() => closeOnPageHide(client), [client]);
  useEffect(() => notifyOnNewMessages(client), [client]);
  // Kicked or banned: a notice, and home if that room was open (the engine closed it).
  useEffect(() => announceRoomRemovals(client), [client]);
  useEffect(() => {
    const off = client.events.on('error', (error) => reportBackgroundError(error));
    return () => {
      off();
      clearNotices();
    };
  }, [client]);
  useEffect(
    () =>
      keepPrekeysFresh(engine, (error) => reportBackgroundError(error, ts('shell.prekeyFailed'))),
    [engine],
  );

  const current = route.value;
  const shown = current;
  const convId = shown.name === 'room' || shown.name === 'dm' ? shown.id : null;
  const summaries = client.conversations.value;
  const summary = convId ? summaries.find((c) => c.convId === convId) : undefined;
  const roomId = shown.name === 'room' && summary ? shown.id : null;
  const dmPartner = shown.name === 'dm' ? client.dm(shown.id)?.partner : undefined;

  const view =
    convId || shown.name === 'join' || shown.name === 'settings' ? 'conversation' : 'list';
  const inConversation = Boolean(convId && summary);

  return (
    <div class="app" data-view={view} data-members={membersOpen && roomId ? 'open' : 'closed'}>
      <div class="app-sidebar">
        <Sidebar
          client={client}
          username={account.username}
          selectedId={convId}
          connection={connection}
          onNewRoom={() => setDialog('newRoom')}
          onJoinRoom={() => setDialog('joinRoom')}
          onNewDm={() => setDialog('newDm')}
        />
      </div>
      <main class="app-main">
        <OfflineBanner view={connection} />
        <div class="app-mobile-bar" hidden={shown.name === 'settings' || inConversation}>
          <button
            type="button"
            class="btn btn-ghost btn-small"
            onClick={() => navigate({ name: 'home' })}
          >
            <Icon name="back" size={18} />
            {ts('shell.back')}
          </button>
        </div>
        {convId ? (
          <NotifyPrompt client={client} convId={convId} deviceId={account.deviceId} />
        ) : null}
        <div class="app-pane">
          {shown.name === 'settings' ? (
            <SettingsPage engine={engine} onClose={leaveSettings} />
          ) : shown.name === 'join' ? (
            <JoinRoute engine={engine} to={shown} />
          ) : convId && summary ? (
            <div class="app-conversation">
              {/* Phones: the way back sits in the conversation's own header row (CSS places it). */}
              <button
                type="button"
                class="icon-btn app-back"
                aria-label={ts('shell.back')}
                title={ts('shell.back')}
                onClick={() => navigate({ name: 'home' })}
              >
                <Icon name="back" />
              </button>
              <ConversationView
                key={convId}
                client={client}
                convId={convId}
                title={summary.title}
                kind={summary.kind}
                history={engine.history}
                onOpenMembers={() => setMembersOpen(true)}
                headerActions={
                  summary.kind === 'room' ? (
                    <RoomActions
                      client={client}
                      roomId={convId}
                      name={summary.title}
                      membersOpen={membersOpen}
                      onToggleMembers={() => setMembersOpen(!membersOpen)}
                    />
                  ) : dmPartner ? (
                    <DmActions
                      username={dmPartner.username}
                      onVerify={() =>
                        setVerifying({ userId: dmPartner.userId, username: dmPartner.username })
                      }
                    />
                  ) : null
                }
              />
            </div>
          ) : convId ? (
            <div class="app-empty">
              <h1 class="app-empty-title">{ts('shell.conversationNotFound')}</h1>
              <p class="app-empty-body">{ts('shell.notFound')}</p>
            </div>
          ) : (
            <EmptyState hasConversations={summaries.length > 0} />
          )}
        </div>
      </main>
      {membersOpen && roomId ? (
        <div class="app-members">
          <MembersPanel client={client} roomId={roomId} onClose={() => setMembersOpen(false)} />
        </div>
      ) : null}
      {dialog === 'newRoom' && <NewRoomDialog client={client} onClose={() => setDialog(null)} />}
      {dialog === 'joinRoom' && <JoinRoomDialog client={client} onClose={() => setDialog(null)} />}
      {dialog === 'newDm' && <NewDmDialog client={client} onClose={() => setDialog(null)} />}
      {verifying && (
        <SafetyNumberDialog
          client={client}
          userId={verifying.userId}
          username={verifying.username}
          onClose={() => setVerifying(null)}
        />
      )}
      <NoticeStack />
    </div>
  );
}
