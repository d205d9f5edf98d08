/**
 * Inline Markdown: **strong**, *em* / _em_, ~~strike~~, `code`, [text](url),
 * bare http(s) links, @mentions, and hard line breaks. A single left-to-right
 * scan with bounded nesting: no regular expression runs over the whole input,
 * so crafted text cannot make parsing slow.
 */
import type { Inline } from './markdown-ast.ts';

export const INLINE_LIMITS = {
  /** Deeper emphasis than this is left as literal text. */
  maxDepth: 6,
  maxUrlChars: 2048,
} as const;

/** Only these become links; `javascript:`, `data:` and the rest stay text. */
const SAFE_SCHEMES = ['http:', 'https:', 'mailto:'];

export function safeHref(raw: string): string | null {
  const href = raw.trim();
  if (!href || href.length > INLINE_LIMITS.maxUrlChars) return null;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  return SAFE_SCHEMES.includes(url.protocol) ? url.href : null;
}

const DELIMS = [
  { mark: '**', t: 'strong' },
  { mark: '__', t: 'strong' },
  { mark: '~~', t: 'strike' },
  { mark: '*', t: 'em' },
  { mark: '_', t: 'em' },
] as const;

const MENTION = /^@([a-z0-9_.-]{3,32})/;
const BARE_URL = /^https?:\/\/[^\s<>"']+/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

export function parseInline(src: string, depth = 0): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ t: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < src.length) {
    const ch = src[i]!;

    if (ch === '\\' && i + 1 < src.length && /[\\`*_~[\]()@>#+\-.!|]/.test(src[i + 1]!)) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (ch === '\n') {
      flush();
      out.push({ t: 'br' });
      i++;
      continue;
    }
    if (ch === '`') {
      const end = src.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        out.push({ t: 'code', text: src.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (ch === '[') {
      const link = matchLink(src, i, depth);
      if (link) {
        flush();
        out.push(link.node);
        i = link.end;
        continue;
      }
    }
    if (ch === 'h' && (i === 0 || !WORD_CHAR.test(src[i - 1]!))) {
      const m = BARE_URL.exec(src.slice(i, i + INLINE_LIMITS.maxUrlChars));
      if (m) {
        // Trailing punctuation usually ends the sentence, not the URL.
        const raw = m[0].replace(/[.,;:!?)\]]+$/, '');
        const href = safeHref(raw);
        if (href) {
          flush();
          out.push({ t: 'link', href, children: [{ t: 'text', text: raw }] });
          i += raw.length;
          continue;
        }
      }
    }
    if (ch === '@' && (i === 0 || !WORD_CHAR.test(src[i - 1]!))) {
      const m = MENTION.exec(src.slice(i, i + 40));
      // "@alice." ends a sentence: the dot is not part of the name.
      const username = m?.[1]?.replace(/\.+$/, '');
      if (username && username.length >= 3) {
        flush();
        out.push({ t: 'mention', username });
        i += 1 + username.length;
        continue;
      }
    }
    if ((ch === '*' || ch === '_' || ch === '~') && depth < INLINE_LIMITS.maxDepth) {
      const span = matchDelimited(src, i, depth);
      if (span) {
        flush();
        out.push(span.node);
        i = span.end;
        continue;
      }
    }
    text += ch;
    i++;
  }
  flush();
  return out;
}

function matchDelimited(
  src: string,
  at: number,
  depth: number,
): { node: Inline; end: number } | null {
  for (const { mark, t } of DELIMS) {
    if (!src.startsWith(mark, at)) continue;
    const open = at + mark.length;
    // An opener must touch text (`* not emphasis *`); `_` inside words
    // (snake_case) is not emphasis.
    if (open >= src.length || /\s/.test(src[open]!)) continue;
    if (mark[0] === '_' && at > 0 && WORD_CHAR.test(src[at - 1]!)) continue;
    let close = src.indexOf(mark, open);
    while (close !== -1) {
      const closeOk =
        !/\s/.test(src[close - 1]!) &&
        !(mark[0] === '_' && WORD_CHAR.test(src[close + mark.length] ?? '')) &&
        // `**` must not be taken as the close of a single `*`.
        !(mark === '*' && src[close + 1] === '*');
      if (closeOk && close > open) break;
      close = src.indexOf(mark, close + 1);
    }
    if (close === -1) continue;
    const inner = src.slice(open, close);
    if (inner.includes('\n\n')) continue;
    return {
      node: { t, children: parseInline(inner, depth + 1) } as Inline,
      end: close + mark.length,
    };
  }
  return null;
}

function matchLink(src: string, at: number, depth: number): { node: Inline; end: number } | null {
  const closeText = src.indexOf('](', at + 1);
  if (closeText === -1 || closeText - at > 1000) return null;
  const label = src.slice(at + 1, closeText);
  if (label.includes('\n') || label.includes('[')) return null;
  const closeUrl = src.indexOf(')', closeText + 2);
  if (closeUrl === -1 || closeUrl - closeText > INLINE_LIMITS.maxUrlChars) return null;
  const href = safeHref(src.slice(closeText + 2, closeUrl));
  if (!href || !label) return null;
  return {
    node: {
      t: 'link',
      href,
      children:
        depth < INLINE_LIMITS.maxDepth
          ? parseInline(label, depth + 1)
          : [{ t: 'text', text: label }],
    },
    end: closeUrl + 1,
  };
}
