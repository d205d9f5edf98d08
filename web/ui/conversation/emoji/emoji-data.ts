/**
 * The emoji list, self-hosted and loaded on first use: the records live in
 * a generated module (emoji-data.generated.ts, see its generator) that the
 * bundler splits into its own chunk, so the app's first load does not pay
 * for it (TARGETS.md P7).
 */

export interface Emoji {
  char: string;
  /** CLDR English name: the picker button's accessible name ("grinning face"). */
  name: string;
  group: number;
  /** Without colons; the first is the preferred one. */
  shortcodes: string[];
  keywords: string[];
}

export interface EmojiIndex {
  all: Emoji[];
  byShortcode: ReadonlyMap<string, Emoji>;
  byChar: ReadonlyMap<string, Emoji>;
}

/** Emojibase group numbers, in picker order (2, "components", is not in the data). */
export const EMOJI_GROUPS = [0, 1, 3, 4, 5, 6, 7, 8, 9] as const;

export function parseEmojiRecords(records: string): EmojiIndex {
  const all: Emoji[] = [];
  const byShortcode = new Map<string, Emoji>();
  const byChar = new Map<string, Emoji>();
  for (const line of records.split('\n')) {
    const [char, name, group, codes, keywords] = line.split('\t');
    if (!char || !name) continue;
    const emoji: Emoji = {
      char,
      name,
      group: Number(group),
      shortcodes: codes ? codes.split(' ') : [],
      keywords: keywords ? keywords.split(' ') : [],
    };
    all.push(emoji);
    byChar.set(char, emoji);
    for (const code of emoji.shortcodes) if (!byShortcode.has(code)) byShortcode.set(code, emoji);
  }
  return { all, byShortcode, byChar };
}

let loading: Promise<EmojiIndex> | undefined;
let loaded: EmojiIndex | undefined;

/** Loads the emoji chunk once; later calls share the promise. */
export function loadEmoji(): Promise<EmojiIndex> {
  loading ??= import('./emoji-data.generated.ts').then((m) => {
    loaded = parseEmojiRecords(m.EMOJI_RECORDS);
    return loaded;
  });
  return loading;
}

/** The index if it has loaded already (for synchronous paths), else undefined. */
export function emojiIfLoaded(): EmojiIndex | undefined {
  return loaded;
}

/** Emoji whose name, shortcode or keyword matches every word of the query, best first. */
export function searchEmoji(index: EmojiIndex, query: string, limit = Infinity): Emoji[] {
  const words = query.toLowerCase().trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return index.all.slice(0, limit);
  const scored: { emoji: Emoji; score: number }[] = [];
  for (const emoji of index.all) {
    let score = 0;
    for (const word of words) {
      const s = matchScore(emoji, word);
      if (s === 0) {
        score = 0;
        break;
      }
      score += s;
    }
    if (score > 0) scored.push({ emoji, score });
  }
  // Stable: equal scores keep Unicode's order (the familiar one).
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, limit).map((s) => s.emoji);
}

function matchScore(emoji: Emoji, word: string): number {
  if (emoji.shortcodes.includes(word)) return 6;
  if (emoji.shortcodes.some((c) => c.startsWith(word))) return 4;
  if (emoji.name.split(/[\s:-]+/).some((w) => w.startsWith(word))) return 3;
  if (emoji.keywords.some((k) => k.startsWith(word))) return 2;
  if (emoji.name.includes(word)) return 1;
  return 0;
}
