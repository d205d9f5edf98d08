/**
 * Parsed Markdown per message text, cached: a virtualized list re-renders
 * the same rows often while scrolling, and parsing is the costly part.
 */
import type { Block } from '../../markdown/markdown-ast.ts';
import { parseMarkdown } from '../../markdown/parse-markdown.ts';

const MAX_CACHED = 800;
const cache = new Map<string, Block[]>();

export function parsedText(text: string): Block[] {
  const hit = cache.get(text);
  if (hit) return hit;
  const blocks = parseMarkdown(text);
  // Oldest entry out first (Map keeps insertion order).
  if (cache.size >= MAX_CACHED) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(text, blocks);
  return blocks;
}
