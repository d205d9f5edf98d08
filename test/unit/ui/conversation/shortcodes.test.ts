import { describe, expect, it } from 'vitest';
import {
  completeShortcode,
  partialShortcode,
  replaceShortcodes,
} from '../../../../web/ui/conversation/composer/shortcodes.ts';

const table: Record<string, string> = { tada: '🎉', '+1': '👍', smile: '😄' };
const lookup = (code: string) => table[code];

describe(':shortcode: replacement', () => {
  it('turns known shortcodes into emoji when a message is sent', () => {
    expect(replaceShortcodes('we shipped :tada: :+1:', lookup)).toBe('we shipped 🎉 👍');
    expect(replaceShortcodes(':tada::tada:', lookup)).toBe('🎉🎉');
    expect(replaceShortcodes('loud :TADA:', lookup)).toBe('loud 🎉');
  });

  it('leaves unknown shortcodes and times like 10:30:00 as typed', () => {
    expect(replaceShortcodes('hi :nope: at 10:30:00', lookup)).toBe('hi :nope: at 10:30:00');
  });

  it('does not touch code spans or fenced code blocks', () => {
    expect(replaceShortcodes('`:tada:` and :tada:', lookup)).toBe('`:tada:` and 🎉');
    expect(replaceShortcodes('```\nx = :smile:\n```\n:smile:', lookup)).toBe(
      '```\nx = :smile:\n```\n😄',
    );
    expect(replaceShortcodes('```\nunclosed :smile:', lookup)).toBe('```\nunclosed :smile:');
  });

  it('finds the shortcode being typed before the caret once it has two characters', () => {
    expect(partialShortcode('hello :ta', 9)).toEqual({ start: 6, query: 'ta' });
    expect(partialShortcode(':sm', 3)).toEqual({ start: 0, query: 'sm' });
    expect(partialShortcode('hello :t', 8)).toBeNull();
    expect(partialShortcode('http://x', 8)).toBeNull();
    expect(partialShortcode('at 10:30', 8)).toBeNull();
    expect(partialShortcode('done :tada: ok', 14)).toBeNull();
  });

  it('completes the partial shortcode with the emoji and a space', () => {
    expect(completeShortcode('hello :ta world', 6, 9, '🎉')).toEqual({
      text: 'hello 🎉  world',
      caret: 6 + '🎉 '.length,
    });
  });
});
