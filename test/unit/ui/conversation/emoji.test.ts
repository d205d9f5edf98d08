import { describe, expect, it } from 'vitest';
import { typingText } from '../../../../web/ui/conversation/composer/typing-status.tsx';
import { EMOJI_RECORDS } from '../../../../web/ui/conversation/emoji/emoji-data.generated.ts';
import {
  parseEmojiRecords,
  searchEmoji,
} from '../../../../web/ui/conversation/emoji/emoji-data.ts';
import {
  MAX_RECENT_EMOJI,
  readRecentEmoji,
  rememberEmoji,
} from '../../../../web/ui/conversation/emoji/recent-emoji.ts';
import { registeredKeys } from '../../../../web/ui/i18n/i18n.ts';

const index = parseEmojiRecords(EMOJI_RECORDS);

function memoryStorage(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
  };
}

describe('self-hosted emoji data', () => {
  it('carries about 1 900 emoji with names and shortcodes', () => {
    expect(index.all.length).toBeGreaterThan(1_800);
    expect(index.byChar.get('😀')?.name).toBe('grinning face');
    expect(index.byShortcode.get('tada')?.char).toBe('🎉');
    expect(index.byShortcode.get('+1')?.name).toBe('thumbs up');
    expect(index.byShortcode.get('heart')?.char.startsWith('❤')).toBe(true);
  });

  it('finds emoji by shortcode, name or keyword, exact shortcode first', () => {
    expect(searchEmoji(index, 'tada')[0]?.char).toBe('🎉');
    expect(searchEmoji(index, 'party popper')[0]?.char).toBe('🎉');
    expect(searchEmoji(index, 'grinning').map((e) => e.name)).toContain('grinning face');
    expect(searchEmoji(index, 'zzzzqqq')).toEqual([]);
    expect(searchEmoji(index, 'cat', 5)).toHaveLength(5);
  });

  it('remembers recently used emoji, newest first, without duplicates, within a bound', () => {
    const storage = memoryStorage();
    rememberEmoji(storage, '🎉');
    rememberEmoji(storage, '👍');
    rememberEmoji(storage, '🎉');
    expect(readRecentEmoji(storage)).toEqual(['🎉', '👍']);
    for (let i = 0; i < 40; i++) rememberEmoji(storage, String.fromCodePoint(0x1f600 + i));
    expect(readRecentEmoji(storage)).toHaveLength(MAX_RECENT_EMOJI);
  });

  it('reads tampered or missing storage as no recent emoji', () => {
    const storage = memoryStorage();
    storage.setItem('parley.recentEmoji', '{not json');
    expect(readRecentEmoji(storage)).toEqual([]);
    storage.setItem('parley.recentEmoji', JSON.stringify([1, 'x'.repeat(100), '🎉']));
    expect(readRecentEmoji(storage)).toEqual(['🎉']);
    expect(readRecentEmoji(undefined)).toEqual([]);
  });
});

describe('conversation words', () => {
  it('says who is typing', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['bob'])).toBe('bob is typing…');
    expect(typingText(['bob', 'carol'])).toBe('bob and carol are typing…');
    expect(typingText(['bob', 'carol', 'dave'])).toBe('Several people are typing…');
  });

  it('has every conversation string in German and Spanish', () => {
    const keys = registeredKeys();
    const conv = [...keys.en].filter((k) => k.startsWith('conv.'));
    expect(conv.length).toBeGreaterThan(50);
    for (const k of conv) {
      expect(keys.de.has(k), k).toBe(true);
      expect(keys.es.has(k), k).toBe(true);
    }
  });
});
