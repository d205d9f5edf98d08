/**
 * The emoji picker: a dialog "Emoji picker" with a searchbox "Search emoji",
 * category buttons, recently used first, and a grid of buttons named by each
 * emoji's name ("grinning face"). Arrow keys move through the grid (one tab
 * stop), Enter picks, Escape closes. The emoji data loads on first open.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { tc } from '../strings.ts';
import { EMOJI_GROUPS, type Emoji, type EmojiIndex, loadEmoji, searchEmoji } from './emoji-data.ts';
import { browserStorage, readRecentEmoji, rememberEmoji } from './recent-emoji.ts';

const GRID_COLUMNS = 9;
const MAX_RESULTS = 180;

export interface EmojiPickerProps {
  onPick(emoji: string): void;
  onClose(): void;
  /** Placement modifier (composer or message). */
  placement: 'composer' | 'message';
}

interface Section {
  id: string;
  title: string;
  emoji: Emoji[];
}

export function EmojiPicker({ onPick, onClose, placement }: EmojiPickerProps) {
  const [index, setIndex] = useState<EmojiIndex | null>(null);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [preview, setPreview] = useState<Emoji | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const recent = useMemo(() => readRecentEmoji(browserStorage()), []);

  useEffect(() => {
    let live = true;
    loadEmoji().then((i) => live && setIndex(i));
    search.current?.focus();
    const outside = (e: PointerEvent) => {
      const target = e.target as Element;
      // The toggle button closes it by itself (else it would close here and reopen on click).
      if (target.closest?.('.conv-picker-toggle')) return;
      if (root.current && !root.current.contains(target)) onClose();
    };
    document.addEventListener('pointerdown', outside, true);
    return () => {
      live = false;
      document.removeEventListener('pointerdown', outside, true);
    };
  }, [onClose]);

  const sections: Section[] = useMemo(() => {
    if (!index) return [];
    if (query.trim()) {
      return [{ id: 'results', title: '', emoji: searchEmoji(index, query, MAX_RESULTS) }];
    }
    const out: Section[] = [];
    const recentEmoji = recent.map((c) => index.byChar.get(c)).filter((e) => e !== undefined);
    if (recentEmoji.length) {
      out.push({ id: 'recent', title: tc('conv.recentEmoji'), emoji: recentEmoji });
    }
    for (const group of EMOJI_GROUPS) {
      out.push({
        id: `g${group}`,
        title: tc(`conv.group.${group}`),
        emoji: index.all.filter((e) => e.group === group),
      });
    }
    return out;
  }, [index, query, recent]);
  const flat = useMemo(() => sections.flatMap((s) => s.emoji), [sections]);

  const pick = (emoji: Emoji) => {
    rememberEmoji(browserStorage(), emoji.char);
    onPick(emoji.char);
  };

  const focusCell = (i: number) => {
    const clamped = Math.max(0, Math.min(flat.length - 1, i));
    setActive(clamped);
    const cell = body.current?.querySelector<HTMLElement>(`[data-cell="${clamped}"]`);
    cell?.focus();
    cell?.scrollIntoView({ block: 'nearest' });
  };

  const onGridKey = (e: KeyboardEvent) => {
    const moves: Record<string, number> = {
      ArrowRight: 1,
      ArrowLeft: -1,
      ArrowDown: GRID_COLUMNS,
      ArrowUp: -GRID_COLUMNS,
      PageDown: GRID_COLUMNS * 5,
      PageUp: -GRID_COLUMNS * 5,
    };
    const step = moves[e.key];
    if (step !== undefined) {
      e.preventDefault();
      if (e.key === 'ArrowUp' && active < GRID_COLUMNS) search.current?.focus();
      else focusCell(active + step);
    } else if (e.key === 'Home') {
      e.preventDefault();
      focusCell(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      focusCell(flat.length - 1);
    }
  };

  const shown = preview ?? flat[active] ?? null;
  let cell = 0;
  return (
    <div
      ref={root}
      class={`conv-picker conv-picker--${placement}`}
      role="dialog"
      aria-label={tc('conv.emojiPicker')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div class="conv-picker-top">
        <input
          ref={search}
          type="search"
          class="conv-picker-search"
          aria-label={tc('conv.searchEmoji')}
          placeholder={tc('conv.searchEmoji')}
          value={query}
          onInput={(e) => {
            setQuery(e.currentTarget.value);
            setActive(0);
            body.current?.scrollTo({ top: 0 });
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              focusCell(0);
            } else if (e.key === 'Enter') {
              e.preventDefault();
              const first = flat[0];
              if (first) pick(first);
            }
          }}
        />
        {!query.trim() && index ? (
          <div class="conv-picker-tabs" role="toolbar" aria-label={tc('conv.emojiCategories')}>
            {sections.map((s) => (
              <button
                key={s.id}
                type="button"
                class="conv-picker-tab"
                aria-label={s.title}
                title={s.title}
                tabIndex={-1}
                onClick={() => {
                  const target = body.current?.querySelector<HTMLElement>(`#conv-picker-${s.id}`);
                  if (target && body.current) body.current.scrollTop = target.offsetTop - 4;
                }}
              >
                <span aria-hidden="true">{s.id === 'recent' ? '🕘' : s.emoji[0]?.char}</span>
              </button>
            ))}
          </div>
        ) : null}
      </div>
      <div ref={body} class="conv-picker-body">
        {!index ? <p class="conv-picker-empty">{tc('conv.loadingEmoji')}</p> : null}
        {index && flat.length === 0 ? (
          <p class="conv-picker-empty" role="status">
            {tc('conv.noEmoji')}
          </p>
        ) : null}
        {sections.map((s) =>
          s.emoji.length === 0 ? null : (
            <section
              key={s.id}
              id={`conv-picker-${s.id}`}
              class="conv-picker-section"
              aria-label={s.title || undefined}
            >
              {s.title ? <h3 class="conv-picker-heading">{s.title}</h3> : null}
              {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move between the buttons inside */}
              <div class="conv-picker-grid" onKeyDown={onGridKey}>
                {s.emoji.map((emoji) => {
                  const i = cell++;
                  return (
                    <button
                      key={`${s.id}-${emoji.char}`}
                      type="button"
                      class="conv-picker-cell"
                      data-cell={i}
                      aria-label={emoji.name}
                      tabIndex={i === active ? 0 : -1}
                      onClick={() => pick(emoji)}
                      onFocus={() => {
                        setActive(i);
                        setPreview(emoji);
                      }}
                      onPointerEnter={() => setPreview(emoji)}
                    >
                      {emoji.char}
                    </button>
                  );
                })}
              </div>
            </section>
          ),
        )}
      </div>
      <div class="conv-picker-preview" aria-hidden="true">
        {shown ? (
          <>
            <span class="conv-picker-preview-emoji">{shown.char}</span>
            <span class="conv-picker-preview-name">{shown.name}</span>
            {shown.shortcodes[0] ? (
              <span class="conv-picker-preview-code">:{shown.shortcodes[0]}:</span>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}
