/**
 * The Markdown subset Parley renders, as a tree. The UI turns this tree into
 * Preact elements and text nodes — never HTML strings — so message text can
 * never become markup, whatever it contains.
 */
export type Inline =
  | { t: 'text'; text: string }
  | { t: 'strong' | 'em' | 'strike'; children: Inline[] }
  | { t: 'code'; text: string }
  | { t: 'link'; href: string; children: Inline[] }
  | { t: 'mention'; username: string }
  | { t: 'br' };

export type Block =
  | { t: 'paragraph'; children: Inline[] }
  | { t: 'codeblock'; lang: string; text: string }
  | { t: 'quote'; children: Block[] }
  | { t: 'list'; ordered: boolean; start: number; items: Inline[][] };

/** Inline content as plain text (notifications, previews, screen readers). */
export function inlineText(nodes: Inline[]): string {
  let out = '';
  for (const node of nodes) {
    switch (node.t) {
      case 'text':
      case 'code':
        out += node.text;
        break;
      case 'mention':
        out += `@${node.username}`;
        break;
      case 'br':
        out += '\n';
        break;
      default:
        out += inlineText(node.children);
    }
  }
  return out;
}

function blockText(b: Block): string {
  switch (b.t) {
    case 'paragraph':
      return inlineText(b.children);
    case 'codeblock':
      return b.text;
    case 'quote':
      return blocksText(b.children);
    case 'list':
      return b.items.map(inlineText).join('\n');
  }
}

export function blocksText(blocks: Block[]): string {
  return blocks.map(blockText).join('\n');
}
