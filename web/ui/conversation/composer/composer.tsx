/**
 * The composer: textbox "Message" (Enter sends, Shift+Enter is a new line,
 * grows with its text), Send, Emoji, Attach files (and paste), the reply and
 * edit modes, `:shortcode:` replacement on send with a ":" suggestion popup,
 * and typing notices (on input; off on send and blur). Drafts survive
 * switching conversations.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ParleyClient } from '../../../core/client.ts';
import type { MessageView } from '../../../core/history/message-view.ts';
import { errorMessage } from '../../errors/error-message.ts';
import { shareFiles } from '../../files/share-files.ts';
import { type Emoji, emojiIfLoaded, loadEmoji, searchEmoji } from '../emoji/emoji-data.ts';
import { Icon } from '../icons.tsx';
import { tc } from '../strings.ts';
import { ComposerModeBar, ShortcodeSuggestions } from './composer-parts.tsx';
import { completeShortcode, partialShortcode, replaceShortcodes } from './shortcodes.ts';

export type ComposerMode =
  | { kind: 'new' }
  | { kind: 'reply'; message: MessageView; author: string }
  | { kind: 'edit'; message: MessageView };

export interface ComposerController {
  insert(text: string): void;
  focus(): void;
}

export interface ComposerProps {
  client: ParleyClient;
  convId: string;
  placeholder: string;
  mode: ComposerMode;
  blocked: boolean;
  onCancelMode(): void;
  /** ArrowUp in an empty composer: edit my last message; false when there is none. */
  onEditLast(): boolean;
  onOpenEmoji(): void;
  /** A message or edit went out (the list follows to the bottom). */
  onSent(): void;
  controller: { current: ComposerController | null };
}

const MAX_SUGGESTIONS = 8;
const drafts = new Map<string, string>();

interface Suggest {
  start: number;
  caret: number;
  items: Emoji[];
  active: number;
}

export function Composer(props: ComposerProps) {
  const { client, convId, mode } = props;
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(() => drafts.get(convId) ?? '');
  const [suggest, setSuggest] = useState<Suggest | null>(null);
  const [error, setError] = useState<string | null>(null);
  const draftBeforeEdit = useRef<string | null>(null);
  const listId = `conv-suggest-${convId}`;

  const grow = () => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${el.scrollHeight}px`;
  };

  const update = (next: string, caret?: number) => {
    setText(next);
    drafts.set(convId, next);
    const el = input.current;
    if (el && el.value !== next) el.value = next;
    if (el && caret !== undefined) el.setSelectionRange(caret, caret);
    grow();
  };

  // A new conversation: its own draft.
  useEffect(() => {
    update(drafts.get(convId) ?? '');
    setSuggest(null);
    return () => client.setTyping(convId, false);
  }, [convId]);

  // Entering edit mode puts the message in the box; leaving it restores the draft.
  // A layout effect: the text is in the box in the same frame as "Editing message".
  useLayoutEffect(() => {
    if (mode.kind === 'edit') {
      if (draftBeforeEdit.current === null) draftBeforeEdit.current = input.current?.value ?? '';
      update(mode.message.text, mode.message.text.length);
    } else if (draftBeforeEdit.current !== null) {
      update(draftBeforeEdit.current);
      draftBeforeEdit.current = null;
    }
    if (mode.kind !== 'new') input.current?.focus();
  }, [mode]);

  useEffect(grow, []);

  props.controller.current = {
    insert(insertText) {
      const el = input.current;
      const current = el?.value ?? text;
      const start = el?.selectionStart ?? current.length;
      const end = el?.selectionEnd ?? current.length;
      update(current.slice(0, start) + insertText + current.slice(end), start + insertText.length);
      el?.focus();
    },
    focus: () => input.current?.focus(),
  };

  const refreshSuggestions = () => {
    const el = input.current;
    if (!el) return;
    const partial = partialShortcode(el.value, el.selectionStart ?? el.value.length);
    if (!partial) {
      setSuggest(null);
      return;
    }
    const show = (index: NonNullable<ReturnType<typeof emojiIfLoaded>>) => {
      const items = searchEmoji(index, partial.query, MAX_SUGGESTIONS).filter(
        (e) => e.shortcodes.length > 0,
      );
      setSuggest(
        items.length ? { start: partial.start, caret: el.selectionStart, items, active: 0 } : null,
      );
    };
    const loaded = emojiIfLoaded();
    if (loaded) show(loaded);
    else loadEmoji().then(show, () => setSuggest(null));
  };

  const choose = (emoji: Emoji) => {
    if (!suggest) return;
    const el = input.current;
    const done = completeShortcode(el?.value ?? text, suggest.start, suggest.caret, emoji.char);
    update(done.text, done.caret);
    setSuggest(null);
  };

  const send = async () => {
    const raw = (input.current?.value ?? text).trim();
    if (!raw || props.blocked) return;
    setError(null);
    const index = /:[a-z0-9_+-]+:/i.test(raw)
      ? await loadEmoji().catch(() => undefined)
      : undefined;
    const body = index ? replaceShortcodes(raw, (code) => index.byShortcode.get(code)?.char) : raw;
    client.setTyping(convId, false);
    const current = mode;
    // After saving an edit, the draft typed before it comes back (the mode effect).
    update('');
    props.onSent();
    setSuggest(null);
    if (current.kind !== 'new') props.onCancelMode();
    try {
      if (current.kind === 'edit') {
        if (body !== current.message.text)
          await client.editMessage(convId, current.message.id, body);
      } else if (current.kind === 'reply') {
        await client.sendText(convId, body, current.message.id);
      } else {
        await client.sendText(convId, body);
      }
    } catch (failure) {
      // The message itself shows "Not sent" when it was stored; say why here.
      setError(errorMessage(failure));
    }
  };

  const attach = (files: File[]) => {
    if (files.length === 0) return;
    setError(null);
    // Failures are also listed by the drop zone (files/share-files.ts).
    shareFiles(client, convId, files).catch((failure: unknown) => setError(errorMessage(failure)));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (suggest) {
      const n = suggest.items.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setSuggest({ ...suggest, active: (suggest.active + step + n) % n });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const item = suggest.items[suggest.active];
        if (item) {
          e.preventDefault();
          choose(item);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setSuggest(null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send();
    } else if (e.key === 'Escape' && mode.kind !== 'new') {
      e.preventDefault();
      props.onCancelMode();
    } else if (e.key === 'ArrowUp' && mode.kind === 'new' && !input.current?.value) {
      if (props.onEditLast()) e.preventDefault();
    }
  };

  const empty = text.trim().length === 0;
  const activeId = suggest ? `${listId}-${suggest.active}` : undefined;

  return (
    <div class="conv-composer">
      <ComposerModeBar mode={mode} onCancel={props.onCancelMode} />
      {suggest ? (
        <ShortcodeSuggestions
          id={listId}
          items={suggest.items}
          active={suggest.active}
          onChoose={choose}
        />
      ) : null}
      <form
        class={props.blocked ? 'conv-composer-box conv-composer-box--blocked' : 'conv-composer-box'}
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <button
          type="button"
          class="conv-icon-btn"
          aria-label={tc('conv.attachFiles')}
          title={tc('conv.attachFiles')}
          onClick={() => fileInput.current?.click()}
        >
          <Icon name="paperclip" />
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          aria-label={tc('conv.attachFilesInput')}
          onChange={(e) => {
            attach([...(e.currentTarget.files ?? [])]);
            e.currentTarget.value = '';
          }}
        />
        <textarea
          ref={input}
          class="conv-input"
          rows={1}
          aria-label={tc('conv.messageInput')}
          placeholder={props.placeholder}
          aria-autocomplete="list"
          aria-controls={suggest ? listId : undefined}
          aria-activedescendant={activeId}
          aria-describedby={props.blocked ? `conv-blocked-${convId}` : undefined}
          value={text}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setText(value);
            drafts.set(convId, value);
            grow();
            refreshSuggestions();
            client.setTyping(convId, value.trim().length > 0);
          }}
          onKeyDown={onKeyDown}
          onClick={refreshSuggestions}
          onBlur={() => {
            client.setTyping(convId, false);
            setSuggest(null);
          }}
          onPaste={(e) => {
            const files = [...(e.clipboardData?.files ?? [])];
            if (files.length) {
              e.preventDefault();
              attach(files);
            }
          }}
        />
        <button
          type="button"
          class="conv-icon-btn conv-picker-toggle"
          aria-label={tc('conv.emoji')}
          title={tc('conv.emoji')}
          onClick={props.onOpenEmoji}
        >
          <Icon name="smile" />
        </button>
        <button
          type="submit"
          class="conv-send"
          aria-label={tc('conv.send')}
          title={tc('conv.send')}
          disabled={props.blocked || empty}
        >
          <Icon name="send" />
        </button>
      </form>
      {props.blocked ? (
        <p id={`conv-blocked-${convId}`} class="conv-composer-note">
          {tc('conv.sendBlocked')}
        </p>
      ) : null}
      {error ? (
        <p class="conv-composer-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
