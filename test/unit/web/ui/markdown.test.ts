import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blocksText, type Inline } from '../../../../web/ui/markdown/markdown-ast.ts';
import { parseInline, safeHref } from '../../../../web/ui/markdown/parse-inline.ts';
import { parseMarkdown } from '../../../../web/ui/markdown/parse-markdown.ts';

const text = (t: string): Inline => ({ t: 'text', text: t });

describe('Markdown subset', () => {
  it('renders bold, italic, strike and inline code', () => {
    expect(parseInline('a **b** *c* _d_ ~~e~~ `f*g*`')).toEqual([
      text('a '),
      { t: 'strong', children: [text('b')] },
      text(' '),
      { t: 'em', children: [text('c')] },
      text(' '),
      { t: 'em', children: [text('d')] },
      text(' '),
      { t: 'strike', children: [text('e')] },
      text(' '),
      { t: 'code', text: 'f*g*' },
    ]);
  });

  it('nests emphasis', () => {
    expect(parseInline('**bold _and italic_**')).toEqual([
      { t: 'strong', children: [text('bold '), { t: 'em', children: [text('and italic')] }] },
    ]);
  });

  it('leaves snake_case, lone stars and spaced stars alone', () => {
    expect(parseInline('snake_case_name')).toEqual([text('snake_case_name')]);
    expect(parseInline('2 * 3 * 4')).toEqual([text('2 * 3 * 4')]);
    expect(parseInline('a ** b')).toEqual([text('a ** b')]);
  });

  it('backslash escapes formatting characters', () => {
    expect(parseInline('\\*not em\\*')).toEqual([text('*not em*')]);
  });

  it('links: labelled and bare http(s), trailing punctuation excluded', () => {
    expect(parseInline('[site](https://example.org/a?b=1)')).toEqual([
      { t: 'link', href: 'https://example.org/a?b=1', children: [text('site')] },
    ]);
    expect(parseInline('see https://example.org/x.')).toEqual([
      text('see '),
      { t: 'link', href: 'https://example.org/x', children: [text('https://example.org/x')] },
      text('.'),
    ]);
  });

  it('never links javascript:, data:, vbscript: or relative URLs', () => {
    for (const href of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      '/relative',
      '//evil.example/x',
      'file:///etc/passwd',
    ]) {
      expect(safeHref(href)).toBeNull();
      const nodes = parseInline(`[x](${href})`);
      expect(nodes.some((n) => n.t === 'link')).toBe(false);
    }
  });

  it('mentions: @name, not emails, trailing dot excluded', () => {
    expect(parseInline('hi @alice.')).toEqual([
      text('hi '),
      { t: 'mention', username: 'alice' },
      text('.'),
    ]);
    expect(parseInline('mail bob@example.org')).toEqual([text('mail bob@example.org')]);
  });

  it('blocks: paragraphs, fenced code, quotes, bullet and ordered lists', () => {
    const md = [
      'Intro line',
      'second line',
      '',
      '```ts',
      'const x = "<b>";',
      '```',
      '> quoted **bold**',
      '> > nested',
      '- one',
      '- two',
      '3. three',
      '4. four',
    ].join('\n');
    expect(parseMarkdown(md)).toEqual([
      { t: 'paragraph', children: [text('Intro line'), { t: 'br' }, text('second line')] },
      { t: 'codeblock', lang: 'ts', text: 'const x = "<b>";' },
      {
        t: 'quote',
        children: [
          {
            t: 'paragraph',
            children: [text('quoted '), { t: 'strong', children: [text('bold')] }],
          },
          { t: 'quote', children: [{ t: 'paragraph', children: [text('nested')] }] },
        ],
      },
      { t: 'list', ordered: false, start: 1, items: [[text('one')], [text('two')]] },
      { t: 'list', ordered: true, start: 3, items: [[text('three')], [text('four')]] },
    ]);
  });

  it('an XSS corpus is parsed to text nodes only, character for character', () => {
    const corpus = [
      '<script>alert(1)</script>',
      '<img src=x onerror=alert(1)>',
      '"><svg/onload=alert(1)>',
      "';alert(String.fromCharCode(88,83,83))//",
      '<iframe src="javascript:alert(1)"></iframe>',
      '&lt;b&gt;entity&lt;/b&gt;',
      '{{constructor.constructor("alert(1)")()}}',
      '\u202Egnp.exe',
    ];
    for (const attack of corpus) {
      const blocks = parseMarkdown(attack);
      expect(blocksText(blocks)).toBe(attack);
      const json = JSON.stringify(blocks);
      expect(json).not.toContain('"t":"link"');
    }
  });

  it('any input parses, and its text content is never invented', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (src) => {
        const blocks = parseMarkdown(src);
        // Everything rendered as text came from the input.
        for (const ch of blocksText(blocks)) {
          if (ch !== '\n') expect(src).toContain(ch);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('adversarial inputs at the size limit parse (no exponential blow-up)', () => {
    const n = 16_000;
    for (const src of [
      '*'.repeat(n),
      '_a'.repeat(n / 2),
      '**a'.repeat(n / 3),
      '['.repeat(n),
      '[a]('.repeat(n / 4),
      '> '.repeat(n / 2),
      '`'.repeat(n),
      '~~'.repeat(n / 2),
      'https://'.repeat(n / 8),
      '@'.repeat(n),
    ]) {
      expect(Array.isArray(parseMarkdown(src))).toBe(true);
    }
  });
});
