/**
 * `:shortcode:` → emoji, applied to a message when it is sent, and the
 * partial shortcode before the caret that the ":" suggestion popup completes.
 * Code spans and fenced code blocks are left alone (`:not_emoji:` in code
 * means what it says); unknown shortcodes stay as typed.
 */

const SHORTCODE = /:([a-z0-9_+-]{1,64}):/gi;
/** A ":" that starts a word, then at least this many shortcode characters. */
export const SUGGEST_MIN_CHARS = 2;
const PARTIAL = /(?:^|[\s(])(:([a-z0-9_+-]*))$/i;

export function replaceShortcodes(
  text: string,
  lookup: (shortcode: string) => string | undefined,
): string {
  // Split into code (fences, then spans) and prose; only prose is rewritten.
  return splitCode(text)
    .map((part) =>
      part.code
        ? part.text
        : part.text.replace(
            SHORTCODE,
            (whole, code: string) => lookup(code.toLowerCase()) ?? whole,
          ),
    )
    .join('');
}

function splitCode(text: string): { text: string; code: boolean }[] {
  const parts: { text: string; code: boolean }[] = [];
  let prose = '';
  const code = (from: number, to: number) => {
    parts.push({ text: prose, code: false }, { text: text.slice(from, to), code: true });
    prose = '';
    return to;
  };
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('```', i)) {
      const close = text.indexOf('```', i + 3);
      i = code(i, close === -1 ? text.length : close + 3);
      continue;
    }
    const close = text[i] === '`' ? text.indexOf('`', i + 1) : -1;
    if (close !== -1) {
      i = code(i, close + 1);
      continue;
    }
    prose += text[i];
    i++;
  }
  parts.push({ text: prose, code: false });
  return parts.filter((p) => p.text.length > 0);
}

/** The shortcode being typed just before the caret: its start index and the query. */
export function partialShortcode(
  text: string,
  caret: number,
): { start: number; query: string } | null {
  const before = text.slice(Math.max(0, caret - 66), caret);
  const m = PARTIAL.exec(before);
  if (!m || m[2] === undefined || m[2].length < SUGGEST_MIN_CHARS) return null;
  return { start: caret - m[1]!.length, query: m[2].toLowerCase() };
}

/** The text with the partial shortcode at [start, caret) replaced by `emoji`, and the new caret. */
export function completeShortcode(
  text: string,
  start: number,
  caret: number,
  emoji: string,
): { text: string; caret: number } {
  const insert = `${emoji} `;
  return {
    text: text.slice(0, start) + insert + text.slice(caret),
    caret: start + insert.length,
  };
}
