/**
 * The live part of ConversationView for one open conversation: reads the
 * engine's signals (messages, typing, members) and wires list, composer,
 * picker, find and dialogs together.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Conversation } from '../../core/conversation.ts';
import type { MessageView } from '../../core/history/message-view.ts';
import { errorMessage } from '../errors/error-message.ts';
import { FileDropZone } from '../files/file-drop-zone.tsx';
import { locale } from '../i18n/i18n.ts';
import { KeyChangeBanner, sendingBlocked } from '../trust/key-change-banner.tsx';
import { revealHidden } from '../trust/visible-text.ts';
import { Composer, type ComposerController, type ComposerMode } from './composer/composer.tsx';
import { TypingStatus } from './composer/typing-status.tsx';
import { ConversationHeader, type ConversationViewProps } from './conversation-view.tsx';
import { EmojiPicker } from './emoji/emoji-picker.tsx';
import { FindBar } from './find/find-bar.tsx';
import { Icon } from './icons.tsx';
import { DayRow, estimateRowHeight, type Row, TopRow, UnreadRow } from './list/list-rows.tsx';
import { type ListController, MessageList } from './list/message-list.tsx';
import { buildTimeline } from './list/timeline.ts';
import { DeleteDialog } from './message/delete-dialog.tsx';
import { type MessageActions, MessageItem } from './message/message-item.tsx';
import { fetchMyIk, peopleOf } from './people.ts';
import { tc } from './strings.ts';
import { useMarkRead } from './use-mark-read.ts';

/** How long a jumped-to message stays highlighted. */
const HIGHLIGHT_MS = 2_000;
/** Older pages loaded at most while looking for a replied-to message. */
const MAX_PAGES_FOR_JUMP = 50;

type Picker = { for: 'composer' } | { for: 'message'; message: MessageView };

export function ConversationPane(props: ConversationViewProps & { conversation: Conversation }) {
  const { client, convId, conversation } = props;
  const messages = conversation.messages.value;
  const [, setIdentityTick] = useState(0);
  const people = peopleOf(client, convId, messages);
  const blocked = sendingBlocked(client, convId);

  const [mode, setMode] = useState<ComposerMode>({ kind: 'new' });
  const [picker, setPicker] = useState<Picker | null>(null);
  const [deleting, setDeleting] = useState<MessageView | null>(null);
  const [findOpen, setFindOpen] = useState(false);
  const [findQuery, setFindQuery] = useState('');
  const [highlight, setHighlight] = useState<string | null>(null);
  const [activeKey, setActiveKey] = useState<string | null>(null);
  const [atBottom, setAtBottom] = useState(true);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [reachedStartShown, setReachedStartShown] = useState(false);
  const [announce, setAnnounce] = useState('');
  const [actionError, setActionError] = useState<string | null>(null);

  const list = useRef<ListController | null>(null);
  const composer = useRef<ComposerController | null>(null);
  const pickerOpener = useRef<HTMLElement | null>(null);
  const loading = useRef<Promise<boolean> | null>(null);
  const reachedStart = useRef(false);
  const highlightTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (people.myIk) return;
    fetchMyIk(client).then((ik) => ik && setIdentityTick((n) => n + 1));
  }, [client]);

  // The first message unread when the conversation opened (frozen: reading clears the count).
  const [unreadFrom] = useState(() => {
    const unread = client.conversations.peek().find((c) => c.convId === convId)?.unread ?? 0;
    const all = conversation.messages.peek();
    // Unread counts others' messages only: walk back over that many of theirs.
    let seen = 0;
    for (let i = all.length - 1; i >= 0 && unread > 0; i--) {
      if (!people.isMine(all[i]!) && ++seen === unread) return all[i]!.id;
    }
    return null;
  });
  const timeline = useMemo(
    () => buildTimeline(messages, undefined, unreadFrom),
    [messages, unreadFrom],
  );
  const rows: Row[] = useMemo(() => [{ kind: 'top', key: 'top' }, ...timeline], [timeline]);
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);
  const lastKey = messages.at(-1)?.id ?? null;
  const focusKey = activeKey && byId.has(activeKey) ? activeKey : lastKey;

  useMarkRead(client, convId, atBottom, messages);

  // New messages from others while reading back: say so (the log is quiet then).
  const lastSeen = useRef(lastKey);
  useEffect(() => {
    const last = messages.at(-1);
    if (!last || last.id === lastSeen.current) return;
    lastSeen.current = last.id;
    if (!atBottom && !people.isMine(last)) {
      setAnnounce(
        tc('conv.newMessageFrom', { author: people.nameOf(last.authorIk, last.authorDevice) }),
      );
    }
  }, [messages]);

  /**
   * One older page at a time: Conversation.loadOlder pages from the oldest
   * loaded message, so two at once would fetch the same page twice. Callers
   * during a load share it.
   */
  const loadOlder = useCallback((): Promise<boolean> => {
    if (loading.current) return loading.current;
    if (reachedStart.current) return Promise.resolve(false);
    setLoadingOlder(true);
    const load = conversation
      .loadOlder()
      .then((more) => {
        if (!more) {
          reachedStart.current = true;
          setReachedStartShown(true);
        }
        return more;
      })
      .catch(() => false)
      .finally(() => {
        loading.current = null;
        setLoadingOlder(false);
      });
    loading.current = load;
    return load;
  }, [conversation]);

  const flash = (id: string) => {
    setHighlight(id);
    clearTimeout(highlightTimer.current);
    highlightTimer.current = setTimeout(() => setHighlight(null), HIGHLIGHT_MS);
  };

  /** Shows a message, loading older pages until it is in the window. */
  const showMessage = async (id: string, keepHighlight = false) => {
    for (let page = 0; !conversation.messages.peek().some((m) => m.id === id); page++) {
      if (page >= MAX_PAGES_FOR_JUMP || !(await loadOlder())) {
        return;
      }
    }
    // Let the new rows render before jumping to one of them.
    requestAnimationFrame(() => list.current?.jumpTo(id));
    if (keepHighlight) setHighlight(id);
    else flash(id);
  };

  const myLastMessage = (): MessageView | undefined => {
    for (let i = messages.length - 1; i >= 0; i--) {
      const m = messages[i]!;
      if (people.isMine(m) && !m.deleted && !m.file) return m;
    }
    return undefined;
  };

  const act = (work: Promise<unknown>) => {
    setActionError(null);
    work.catch((error: unknown) => setActionError(errorMessage(error)));
  };

  const actions: MessageActions = {
    reply: (m) => {
      setMode({ kind: 'reply', message: m, author: people.nameOf(m.authorIk, m.authorDevice) });
      composer.current?.focus();
    },
    edit: (m) => setMode({ kind: 'edit', message: m }),
    remove: (m) => setDeleting(m),
    pickReaction: (m, anchor) => {
      pickerOpener.current = anchor;
      setPicker({ for: 'message', message: m });
    },
    toggleReaction: (m, emoji, on) => act(client.react(convId, m.id, emoji, on)),
    jumpTo: (id) => void showMessage(id),
    focused: (id) => setActiveKey(id),
    moveFocus: (id, step) => {
      const i = timeline.findIndex((r) => r.key === id);
      for (let j = i + step; j >= 0 && j < timeline.length; j += step) {
        const row = timeline[j]!;
        if (row.kind !== 'message') continue;
        setActiveKey(row.key);
        list.current?.reveal(row.key, 'article');
        return;
      }
      if (step < 0) void loadOlder();
    },
  };

  const closePicker = () => {
    setPicker(null);
    const opener = pickerOpener.current;
    pickerOpener.current = null;
    if (opener?.isConnected) opener.focus();
    else composer.current?.focus();
  };

  const onPick = (emoji: string) => {
    if (picker?.for === 'message') {
      const m = picker.message;
      const mine = m.reactions.some(
        (r) => r.emoji === emoji && people.myIk !== undefined && r.reactorIks.includes(people.myIk),
      );
      if (!mine) act(client.react(convId, m.id, emoji, true));
      closePicker();
    } else {
      setPicker(null);
      composer.current?.insert(emoji);
    }
  };

  const now = Date.now();
  const lang = locale.value;
  const renderRow = (row: Row) => {
    if (row.kind === 'top') {
      return (
        <TopRow
          loading={loadingOlder}
          reachedStart={reachedStartShown}
          empty={messages.length === 0}
        />
      );
    }
    if (row.kind === 'day') return <DayRow dayMs={row.dayMs} nowMs={now} lang={lang} />;
    if (row.kind === 'unread') return <UnreadRow />;
    const m = row.message;
    return (
      <MessageItem
        client={client}
        convId={convId}
        message={m}
        groupStart={row.groupStart}
        people={people}
        repliedTo={m.replyTo === null ? null : byId.get(m.replyTo)}
        active={row.key === focusKey}
        highlighted={row.key === highlight}
        editing={mode.kind === 'edit' && mode.message.id === m.id}
        mark={findOpen ? findQuery : undefined}
        actions={actions}
      />
    );
  };

  return (
    <section
      class="conv-view"
      aria-label={revealHidden(props.title)}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || e.defaultPrevented || mode.kind === 'new') return;
        if ((e.target as Element).closest?.('dialog, [role="dialog"]')) return;
        setMode({ kind: 'new' });
      }}
    >
      <ConversationHeader
        title={props.title}
        kind={props.kind}
        actions={props.headerActions}
        extra={
          <button
            type="button"
            class={findOpen ? 'conv-icon-btn conv-icon-btn--on' : 'conv-icon-btn'}
            aria-label={tc('conv.find')}
            aria-expanded={findOpen}
            title={tc('conv.find')}
            onClick={() => setFindOpen(!findOpen)}
          >
            <Icon name="search" />
          </button>
        }
      />
      {findOpen ? (
        <FindBar
          source={{ convId, loaded: () => conversation.messages.peek(), history: props.history }}
          onQuery={setFindQuery}
          onMatch={(m) => (m ? void showMessage(m.id, true) : setHighlight(null))}
          onClose={() => {
            setFindOpen(false);
            setHighlight(null);
          }}
        />
      ) : null}
      <FileDropZone client={client} convId={convId}>
        <div class="conv-body">
          <MessageList
            rows={rows}
            label={tc('conv.messages')}
            estimateHeight={estimateRowHeight}
            renderRow={renderRow}
            onNearTop={() => void loadOlder()}
            onBottomChange={(bottom) => {
              setAtBottom(bottom);
              if (bottom) setAnnounce('');
            }}
            controller={list}
            canAnchor={(row) => row.kind === 'message'}
          />
          {!atBottom ? (
            <button
              type="button"
              class="conv-jump"
              onClick={() => {
                list.current?.toBottom();
                composer.current?.focus();
              }}
            >
              <Icon name="arrowDown" size={16} />
              {tc('conv.jumpToLatest')}
            </button>
          ) : null}
          {picker ? (
            <EmojiPicker
              placement={picker.for}
              onPick={onPick}
              onClose={
                picker.for === 'message'
                  ? closePicker
                  : () => {
                      setPicker(null);
                      composer.current?.focus();
                    }
              }
            />
          ) : null}
        </div>
        <div class="conv-footer">
          <TypingStatus typing={conversation.typing} myIk={people.myIk} nameOf={people.nameOf} />
          <KeyChangeBanner client={client} convId={convId} />
          {actionError ? (
            <p class="conv-composer-error" role="alert">
              {actionError}
            </p>
          ) : null}
          <Composer
            client={client}
            convId={convId}
            placeholder={tc(props.kind === 'room' ? 'conv.placeholderRoom' : 'conv.placeholderDm', {
              name: revealHidden(props.title),
            })}
            mode={mode}
            blocked={blocked}
            controller={composer}
            onCancelMode={() => setMode({ kind: 'new' })}
            onSent={() => list.current?.toBottom()}
            onEditLast={() => {
              const last = myLastMessage();
              if (!last) return false;
              setMode({ kind: 'edit', message: last });
              list.current?.reveal(last.id, null);
              return true;
            }}
            onOpenEmoji={() => {
              pickerOpener.current = null;
              setPicker(picker?.for === 'composer' ? null : { for: 'composer' });
            }}
          />
        </div>
      </FileDropZone>
      <div class="sr-only" role="status">
        {announce}
      </div>
      {deleting ? (
        <DeleteDialog
          message={deleting}
          author={people.nameOf(deleting.authorIk, deleting.authorDevice)}
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            act(client.deleteMessage(convId, deleting.id));
            if (mode.kind !== 'new' && mode.message.id === deleting.id) setMode({ kind: 'new' });
            setDeleting(null);
          }}
        />
      ) : null}
    </section>
  );
}
