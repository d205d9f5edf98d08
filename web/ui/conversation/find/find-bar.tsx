/**
 * Find in conversation: searchbox "Find in conversation", status "{i} of
 * {n}", Previous / Next match, Close find. Matches come from the loaded
 * window and, when the view was given the history store, from the whole
 * conversation on disk (history-store.ts `find`: it decrypts its way back,
 * there is no plaintext index). Newest match first, as chat apps do.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessageView } from '../../../core/history/message-view.ts';
import { locale } from '../../i18n/i18n.ts';
import { Icon } from '../icons.tsx';
import { tc } from '../strings.ts';
import { type FindSource, findMatches } from './find-matches.ts';

const SEARCH_DEBOUNCE_MS = 200;

export interface FindBarProps {
  source: FindSource;
  /** A match became current: show it. */
  onMatch(message: MessageView | null): void;
  /** The text searched for (matches are marked in the messages shown). */
  onQuery(query: string): void;
  onClose(): void;
}

export function FindBar({ source, onMatch, onQuery, onClose }: FindBarProps) {
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<MessageView[]>([]);
  const [current, setCurrent] = useState(0);
  const [searching, setSearching] = useState(false);
  const box = useRef<HTMLInputElement>(null);

  useEffect(() => box.current?.focus(), []);

  useEffect(() => {
    onQuery(query);
    if (!query.trim()) {
      setMatches([]);
      onMatch(null);
      return;
    }
    let live = true;
    setSearching(true);
    const timer = setTimeout(() => {
      findMatches(source, query)
        .then((found) => {
          if (!live) return;
          setMatches(found);
          setCurrent(0);
          onMatch(found[0] ?? null);
        })
        .catch(() => live && setMatches([]))
        .finally(() => live && setSearching(false));
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  const go = (step: 1 | -1) => {
    if (matches.length === 0) return;
    const next = (current + step + matches.length) % matches.length;
    setCurrent(next);
    onMatch(matches[next] ?? null);
  };

  const n = new Intl.NumberFormat(locale.value);
  let status = '';
  if (query.trim()) {
    if (searching && matches.length === 0) status = tc('conv.findSearching');
    else if (matches.length === 0) status = tc('conv.findNone');
    else status = tc('conv.findStatus', { i: n.format(current + 1), n: n.format(matches.length) });
  }

  return (
    <div class="conv-find">
      <Icon name="search" size={16} />
      <input
        ref={box}
        type="search"
        class="conv-find-input"
        aria-label={tc('conv.find')}
        placeholder={tc('conv.find')}
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            // Enter goes further back in time (older), Shift+Enter forward.
            go(e.shiftKey ? -1 : 1);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      />
      <span class="conv-find-status" role="status">
        {status}
      </span>
      <button
        type="button"
        class="conv-icon-btn"
        aria-label={tc('conv.findPrev')}
        title={tc('conv.findPrev')}
        disabled={matches.length === 0}
        onClick={() => go(1)}
      >
        <Icon name="up" />
      </button>
      <button
        type="button"
        class="conv-icon-btn"
        aria-label={tc('conv.findNext')}
        title={tc('conv.findNext')}
        disabled={matches.length === 0}
        onClick={() => go(-1)}
      >
        <Icon name="down" />
      </button>
      <button
        type="button"
        class="conv-icon-btn"
        aria-label={tc('conv.findClose')}
        title={tc('conv.findClose')}
        onClick={onClose}
      >
        <Icon name="close" />
      </button>
    </div>
  );
}
