/** The composer's bars: reply / edit mode, and the ":" shortcode suggestions. */
import type { Emoji } from '../emoji/emoji-data.ts';
import { Icon } from '../icons.tsx';
import { messageSnippet } from '../message/message-parts.tsx';
import { tc } from '../strings.ts';
import type { ComposerMode } from './composer.tsx';

export function ComposerModeBar({ mode, onCancel }: { mode: ComposerMode; onCancel(): void }) {
  return (
    <>
      {mode.kind === 'reply' ? (
        <div class="conv-composer-mode">
          <Icon name="reply" size={16} />
          <span role="status" class="conv-composer-mode-text">
            {tc('conv.replyingTo', { author: mode.author })}
          </span>
          <span class="conv-composer-mode-snippet">{messageSnippet(mode.message)}</span>
          <button
            type="button"
            class="conv-icon-btn"
            aria-label={tc('conv.cancelReply')}
            title={tc('conv.cancelReply')}
            onClick={onCancel}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      ) : null}
      {mode.kind === 'edit' ? (
        <div class="conv-composer-mode conv-composer-mode--edit">
          <Icon name="pencil" size={16} />
          <span role="status" class="conv-composer-mode-text">
            {tc('conv.editing')}
          </span>
          <span class="conv-composer-hint">{tc('conv.editHint')}</span>
          <button
            type="button"
            class="conv-icon-btn"
            aria-label={tc('conv.cancelEditing')}
            title={tc('conv.cancelEditing')}
            onClick={onCancel}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      ) : null}
    </>
  );
}

/** A listbox the textbox drives (aria-activedescendant): focus stays in the textbox. */
export function ShortcodeSuggestions({
  id,
  items,
  active,
  onChoose,
}: {
  id: string;
  items: Emoji[];
  active: number;
  onChoose(emoji: Emoji): void;
}) {
  return (
    <div id={id} class="conv-suggest" role="listbox" aria-label={tc('conv.emojiSuggestions')}>
      {items.map((emoji, i) => (
        // biome-ignore lint/a11y/useKeyWithClickEvents: the textbox handles the keys (aria-activedescendant)
        <div
          key={emoji.char}
          id={`${id}-${i}`}
          role="option"
          tabIndex={-1}
          aria-selected={i === active}
          class={i === active ? 'conv-suggest-item conv-suggest-item--active' : 'conv-suggest-item'}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onChoose(emoji)}
        >
          <span class="conv-suggest-emoji" aria-hidden="true">
            {emoji.char}
          </span>
          <span class="conv-suggest-code">:{emoji.shortcodes[0]}:</span>
          <span class="conv-suggest-name">{emoji.name}</span>
        </div>
      ))}
    </div>
  );
}
