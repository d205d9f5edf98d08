/**
 * Names that other people choose (room names, file names) shown so they
 * cannot pretend to be something else. Two tricks are closed here:
 *
 * - Bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C)
 *   reorder what follows: "invoice\u202Efdp.exe" is displayed as
 *   "invoiceexe.pdf".
 * - Invisible characters (zero-width space, word joiner, BOM, soft hyphen,
 *   tag characters, fillers that render blank, control characters) make two
 *   different names look the same, or a name look empty.
 *
 * Each such character is replaced by a visible marker "<U+202E>": the
 * person sees that the name carries something, and what. Zero-width joiner
 * and non-joiner stay: emoji sequences (👩‍💻) and several scripts (Persian,
 * the Indic ones) need them, and they do not reorder anything. Render the
 * result inside <bdi> as well, so a right-to-left name does not pull the
 * text around it.
 */

/** Format (Cf) and control (Cc) characters, line/paragraph separators, and code points that render blank. */
const HIDDEN =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u115F\u1160\u2800\u3164\uFFA0\uFFFC]|\u034F|\u17B4|\u17B5|\u180B|\u180C|\u180D|\u180F/gu;
const KEPT = new Set(['\u200C', '\u200D']);

/** Characters the desktop's file systems refuse, or read as a path. */
const UNSAFE_FILE_NAME_CHARS = /[/\\:*?"<>|]/g;
const MAX_FILE_NAME_CHARS = 180;
const FALLBACK_FILE_NAME = 'download';

function codePointLabel(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Whether the text holds any character that `revealHidden` would replace. */
export function hasHiddenCharacters(text: string): boolean {
  for (const match of text.matchAll(HIDDEN)) {
    if (!KEPT.has(match[0])) return true;
  }
  return false;
}

/** The text with every bidi control and invisible character shown as "<U+XXXX>". */
export function revealHidden(text: string): string {
  return text.replace(HIDDEN, (ch) => (KEPT.has(ch) ? ch : `<${codePointLabel(ch)}>`));
}

/**
 * A name to suggest when saving a received file: hidden characters and the
 * characters file systems refuse become "_", no leading dots (a hidden file,
 * or "..") and no trailing dots or spaces (Windows drops them, which can
 * change the extension), at most MAX_FILE_NAME_CHARS characters, keeping
 * the extension where there is one.
 */
export function safeFileName(name: string): string {
  let safe = name
    .replace(HIDDEN, (ch) => (KEPT.has(ch) ? ch : '_'))
    .replace(UNSAFE_FILE_NAME_CHARS, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  const chars = [...safe];
  if (chars.length > MAX_FILE_NAME_CHARS) {
    const dot = safe.lastIndexOf('.');
    const extension = dot > 0 ? [...safe.slice(dot)] : [];
    const keepExtension = extension.length > 0 && extension.length <= 16;
    const stem = chars.slice(0, MAX_FILE_NAME_CHARS - (keepExtension ? extension.length : 0));
    safe = stem.join('') + (keepExtension ? extension.join('') : '');
  }
  return safe === '' ? FALLBACK_FILE_NAME : safe;
}
