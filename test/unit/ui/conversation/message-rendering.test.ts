import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { deliveryOf } from '../../../../web/ui/conversation/message/delivery.ts';
import {
  isJumboEmoji,
  mentionsUser,
  renderInlines,
} from '../../../../web/ui/conversation/message/markdown-view.tsx';
import { LINK_REL, linkHref } from '../../../../web/ui/conversation/message/safe-link.ts';
import type { Inline } from '../../../../web/ui/markdown/markdown-ast.ts';
import { parseMarkdown } from '../../../../web/ui/markdown/parse-markdown.ts';
import { messageView } from './fake-client.ts';

const link = (href: string): Inline => ({ t: 'link', href, children: [{ t: 'text', text: 'x' }] });

describe('message links', () => {
  it('lets only http, https and mailto through', () => {
    expect(linkHref('https://example.com/a?b=c')).toBe('https://example.com/a?b=c');
    expect(linkHref('http://example.com')).toBe('http://example.com/');
    expect(linkHref('mailto:a@example.com')).toBe('mailto:a@example.com');
    for (const bad of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      '/relative',
      '//evil.example',
      '',
    ]) {
      expect(linkHref(bad)).toBeNull();
    }
  });

  it('renders a safe link as an anchor that opens a new tab without opener or referrer', () => {
    const [node] = renderInlines([link('https://example.com')], undefined) as VNode[];
    expect(node?.type).toBe('a');
    const props = node?.props as Record<string, unknown>;
    expect(props.href).toBe('https://example.com/');
    expect(props.rel).toBe(LINK_REL);
    expect(LINK_REL.split(' ').sort()).toEqual(['nofollow', 'noopener', 'noreferrer']);
    expect(props.target).toBe('_blank');
  });

  it('shows an unsafe URL as its text, never as a link', () => {
    const [node] = renderInlines([link('javascript:alert(1)')], undefined);
    expect(node).toBe('javascript:alert(1)');
  });

  it('keeps markup in message text as text', () => {
    const nodes = renderInlines(
      parseMarkdown('<img src=x onerror=alert(1)>')[0]!.t === 'paragraph'
        ? (parseMarkdown('<img src=x onerror=alert(1)>')[0] as { children: Inline[] }).children
        : [],
      undefined,
    );
    expect(nodes).toEqual(['<img src=x onerror=alert(1)>']);
  });
});

describe('mentions, emoji and delivery', () => {
  it('notices when a message mentions me, outside code', () => {
    expect(mentionsUser(parseMarkdown('hey @alice, look'), 'alice')).toBe(true);
    expect(mentionsUser(parseMarkdown('> quoted @alice'), 'alice')).toBe(true);
    expect(mentionsUser(parseMarkdown('hey @alicex'), 'alice')).toBe(false);
    expect(mentionsUser(parseMarkdown('```\n@alice\n```'), 'alice')).toBe(false);
    expect(mentionsUser(parseMarkdown('hey @alice'), undefined)).toBe(false);
  });

  it('shows up to three emoji alone large', () => {
    expect(isJumboEmoji('🚀🚀')).toBe(true);
    expect(isJumboEmoji('👍🏽')).toBe(true);
    expect(isJumboEmoji('👨‍👩‍👧 🎉')).toBe(true);
    expect(isJumboEmoji('🎉🎉🎉🎉')).toBe(false);
    expect(isJumboEmoji('ok 🎉')).toBe(false);
    expect(isJumboEmoji('123')).toBe(false);
  });

  it('marks my message Sending, Sent, Delivered, Read or Not sent', () => {
    const base = { author: 'alice' as const, ts: 1 };
    expect(deliveryOf(messageView({ ...base, local: { state: 'pending', ackedBy: [] } }))).toBe(
      'sending',
    );
    expect(deliveryOf(messageView({ ...base, local: { state: 'failed', ackedBy: [] } }))).toBe(
      'failed',
    );
    expect(deliveryOf(messageView({ ...base, local: { state: 'sent', ackedBy: [] } }))).toBe(
      'sent',
    );
    expect(deliveryOf(messageView({ ...base, local: { state: 'sent', ackedBy: ['d1'] } }))).toBe(
      'delivered',
    );
    expect(
      deliveryOf(
        messageView({
          ...base,
          local: { state: 'sent', ackedBy: ['d1'] },
          receipts: { d1: 'delivered', d2: 'read' },
        }),
      ),
    ).toBe('read');
  });
});
