/**
 * The last check before an href reaches the DOM. The parser only makes
 * links of http, https and mailto URLs, but the renderer checks again
 * (defence in depth: an AST could come from elsewhere), and anything else is
 * shown as the text it was, never as a link.
 */
import { safeHref } from '../../markdown/parse-inline.ts';

/** Attributes every message link carries: a new tab, no opener, no referrer, no endorsement. */
export const LINK_REL = 'noopener noreferrer nofollow';
export const LINK_TARGET = '_blank';

/** The href to put on an anchor, or null when the URL must stay plain text. */
export function linkHref(raw: string): string | null {
  return safeHref(raw);
}
