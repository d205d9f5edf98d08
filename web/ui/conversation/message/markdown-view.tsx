/**
 * Message text from the Markdown AST (web/ui/markdown) to Preact elements.
 * Every string lands in a text node; no HTML string is ever parsed, so no
 * message can inject markup, whatever it contains.
 */
import type { ComponentChildren } from 'preact';
import type { Block, Inline } from '../../markdown/markdown-ast.ts';
import { LINK_REL, LINK_TARGET, linkHref } from './safe-link.ts';

export interface MarkdownViewProps {
  blocks: Block[];
  /** Lower-cased username of the reader: their mentions are highlighted. */
  myUsername: string | undefined;
  /** Find in conversation: occurrences of this text are marked. */
  mark?: string | undefined;
  /** Appended inside the last paragraph (the "(edited)" marker reads inline). */
  trailing?: ComponentChildren;
}

export function MarkdownView({ blocks, myUsername, trailing, mark }: MarkdownViewProps) {
  const last = blocks.length - 1;
  const ctx: RenderContext = { me: myUsername, mark: mark?.trim().toLowerCase() || undefined };
  return (
    <div class="conv-md">
      {blocks.map((block, i) => renderBlock(block, i, ctx, i === last ? trailing : null))}
      {blocks.length === 0 && trailing ? <p>{trailing}</p> : null}
    </div>
  );
}

/** What every node's rendering needs to know about the reader. */
interface RenderContext {
  me: string | undefined;
  /** Lower-cased find query, or undefined. */
  mark: string | undefined;
}

function renderBlock(block: Block, key: number, me: RenderContext, trailing: ComponentChildren) {
  switch (block.t) {
    case 'paragraph':
      return (
        <p key={key}>
          {renderInlines(block.children, me)}
          {trailing}
        </p>
      );
    case 'codeblock':
      return (
        <div key={key} class="conv-codeblock">
          <pre>
            <code data-lang={block.lang || undefined}>{markText(block.text, me.mark, key)}</code>
          </pre>
          {trailing}
        </div>
      );
    case 'quote':
      return (
        <blockquote key={key} class="conv-quote">
          {block.children.map((child, i) =>
            renderBlock(child, i, me, i === block.children.length - 1 ? trailing : null),
          )}
        </blockquote>
      );
    case 'list': {
      const items = block.items.map((item, i) => (
        <li key={i}>
          {renderInlines(item, me)}
          {i === block.items.length - 1 ? trailing : null}
        </li>
      ));
      return block.ordered ? (
        <ol key={key} start={block.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      );
    }
  }
}

export function renderInlines(
  nodes: Inline[],
  reader: string | undefined | RenderContext,
): ComponentChildren[] {
  const me = typeof reader === 'object' ? reader : { me: reader, mark: undefined };
  return nodes.map((node, i) => renderInline(node, i, me));
}

/** Text with each occurrence of the find query wrapped in <mark>. */
function markText(text: string, mark: string | undefined, key: number): ComponentChildren {
  const lower = text.toLowerCase();
  // Lower-casing that changes lengths (rare scripts) would misplace the marks: skip them.
  if (!mark || lower.length !== text.length) return text;
  let at = lower.indexOf(mark);
  if (at < 0) return text;
  const out: ComponentChildren[] = [];
  let from = 0;
  while (at >= 0) {
    out.push(text.slice(from, at));
    out.push(
      <mark key={`${key}-${at}`} class="conv-find-mark">
        {text.slice(at, at + mark.length)}
      </mark>,
    );
    from = at + mark.length;
    at = lower.indexOf(mark, from);
  }
  out.push(text.slice(from));
  return out;
}

function renderInline(node: Inline, key: number, me: RenderContext): ComponentChildren {
  switch (node.t) {
    case 'text':
      return markText(node.text, me.mark, key);
    case 'br':
      return <br key={key} />;
    case 'code':
      return (
        <code key={key} class="conv-code">
          {node.text}
        </code>
      );
    case 'strong':
      return <strong key={key}>{renderInlines(node.children, me)}</strong>;
    case 'em':
      return <em key={key}>{renderInlines(node.children, me)}</em>;
    case 'strike':
      return <s key={key}>{renderInlines(node.children, me)}</s>;
    case 'mention': {
      const isMe = me.me !== undefined && node.username === me.me;
      return (
        <span key={key} class={isMe ? 'conv-mention conv-mention--me' : 'conv-mention'}>
          @{node.username}
        </span>
      );
    }
    case 'link': {
      const href = linkHref(node.href);
      if (!href) return node.href;
      // "[bank.example](https://elsewhere.example)": the real destination on hover, not only in a status bar.
      const only = node.children.length === 1 ? node.children[0] : undefined;
      const shownAsItself = only?.t === 'text' && (only.text === node.href || only.text === href);
      return (
        <a
          key={key}
          href={href}
          rel={LINK_REL}
          target={LINK_TARGET}
          class="conv-link"
          title={shownAsItself ? undefined : href}
        >
          {renderInlines(node.children, me)}
        </a>
      );
    }
  }
}

/** Does any mention in the text name this user? */
export function mentionsUser(blocks: Block[], username: string | undefined): boolean {
  if (!username) return false;
  const inInlines = (nodes: Inline[]): boolean =>
    nodes.some((n) =>
      n.t === 'mention' ? n.username === username : 'children' in n ? inInlines(n.children) : false,
    );
  const inBlock = (b: Block): boolean => {
    switch (b.t) {
      case 'paragraph':
        return inInlines(b.children);
      case 'quote':
        return b.children.some(inBlock);
      case 'list':
        return b.items.some(inInlines);
      case 'codeblock':
        return false;
    }
  };
  return blocks.some(inBlock);
}

const EMOJI_ONLY =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\s)+$/u;
const MAX_JUMBO_EMOJI = 3;
let graphemes: Intl.Segmenter | undefined;

/** A short message of emoji alone is shown large, as chat apps do. */
export function isJumboEmoji(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed || trimmed.length > 40 || !EMOJI_ONLY.test(trimmed)) return false;
  graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const segments = [...graphemes.segment(trimmed)];
  return segments.filter((s) => s.segment.trim()).length <= MAX_JUMBO_EMOJI;
}
