/**
 * Block Markdown: paragraphs, ``` fenced code blocks, > quotes and - / 1.
 * lists, each line classified once; inline content goes to parseInline.
 * Input is bounded by the event schema (16 000 chars) and quotes nest at most
 * MAX_QUOTE_DEPTH deep, so parsing is linear in practice.
 */
import type { Block, Inline } from './markdown-ast.ts';
import { parseInline } from './parse-inline.ts';

export const MAX_QUOTE_DEPTH = 4;

const FENCE = /^```([A-Za-z0-9_+-]{0,20})\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const ORDERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;

export function parseMarkdown(src: string, depth = 0): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const flushPara = () => {
    if (para.length) blocks.push({ t: 'paragraph', children: parseInline(para.join('\n')) });
    para = [];
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      const end = lines.findIndex((l, j) => j > i && l.trimEnd() === '```');
      flushPara();
      const stop = end === -1 ? lines.length : end;
      blocks.push({
        t: 'codeblock',
        lang: fence[1] ?? '',
        text: lines.slice(i + 1, stop).join('\n'),
      });
      i = stop + 1;
      continue;
    }
    if (depth < MAX_QUOTE_DEPTH && QUOTE.test(line)) {
      flushPara();
      const quoted: string[] = [];
      while (i < lines.length) {
        const m = QUOTE.exec(lines[i]!);
        if (!m) break;
        quoted.push(m[1]!);
        i++;
      }
      blocks.push({ t: 'quote', children: parseMarkdown(quoted.join('\n'), depth + 1) });
      continue;
    }
    const bullet = BULLET.exec(line);
    const ordered = bullet ? null : ORDERED.exec(line);
    if (bullet || ordered) {
      flushPara();
      const isOrdered = !!ordered;
      const pattern = isOrdered ? ORDERED : BULLET;
      const items: Inline[][] = [];
      while (i < lines.length) {
        const m = pattern.exec(lines[i]!);
        if (!m) break;
        items.push(parseInline(isOrdered ? m[2]! : m[1]!));
        i++;
      }
      const start = ordered ? Math.min(Number(ordered[1]), 1e9) : 1;
      blocks.push({ t: 'list', ordered: isOrdered, start, items });
      continue;
    }
    if (line.trim() === '') {
      flushPara();
      i++;
      continue;
    }
    para.push(line);
    i++;
  }
  flushPara();
  return blocks;
}
