import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hasHiddenCharacters,
  revealHidden,
  safeFileName,
} from '../../../../web/ui/trust/visible-text.ts';

const BIDI_CONTROLS = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u061C',
];
const INVISIBLE = ['\u200B', '\u2060', '\uFEFF', '\u00AD', '\u3164', '\u0000', '\n', '\u2028'];

describe('names others chose are shown as they are', () => {
  it('a right-to-left override in a file name is shown, not obeyed', () => {
    expect(revealHidden('invoice\u202Efdp.exe')).toBe('invoice<U+202E>fdp.exe');
  });

  it('every bidi control and invisible character becomes a visible marker', () => {
    for (const ch of [...BIDI_CONTROLS, ...INVISIBLE]) {
      const shown = revealHidden(`a${ch}b`);
      expect(shown).toMatch(/^a<U\+[0-9A-F]{4,6}>b$/);
      expect(hasHiddenCharacters(`a${ch}b`)).toBe(true);
    }
  });

  it('plain names, other scripts and emoji sequences are left alone', () => {
    for (const name of [
      'general',
      'Café déjà vu',
      'שלום',
      'مرحبا',
      '👩‍💻 devs',
      'می‌خواهم',
      '日本語',
    ]) {
      expect(revealHidden(name)).toBe(name);
      expect(hasHiddenCharacters(name)).toBe(false);
    }
  });

  it('no bidi control or invisible character survives, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
        const shown = revealHidden(text);
        return (
          !hasHiddenCharacters(shown) &&
          [...BIDI_CONTROLS, ...INVISIBLE].every((ch) => !shown.includes(ch))
        );
      }),
    );
  }, 30_000);
});

describe('a received file is saved under a harmless name', () => {
  it('the override trick cannot hide the real extension', () => {
    expect(safeFileName('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
  });

  it('path separators and reserved characters cannot reach the file system', () => {
    expect(safeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFileName('a:b*c?"d"<e>|f\\g')).toBe('a_b_c__d__e__f_g');
  });

  it('no hidden file, no trailing dot or space, never empty', () => {
    expect(safeFileName('.bashrc')).toBe('bashrc');
    expect(safeFileName('report.pdf. . ')).toBe('report.pdf');
    expect(safeFileName('...')).toBe('download');
    expect(safeFileName('\u200B')).toBe('_');
    expect(safeFileName('')).toBe('download');
  });

  it('a very long name is cut but keeps its extension', () => {
    const saved = safeFileName(`${'x'.repeat(500)}.tar.gz`);
    expect([...saved].length).toBeLessThanOrEqual(180);
    expect(saved.endsWith('.gz')).toBe(true);
  });

  it('whatever a peer sends, the name is safe to suggest', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const saved = safeFileName(name);
        expect(saved.length).toBeGreaterThan(0);
        expect([...saved].length).toBeLessThanOrEqual(180);
        expect(saved).not.toMatch(/[/\\:*?"<>|]/);
        expect(saved).not.toMatch(/^[.\s]|[.\s]$/);
        expect(hasHiddenCharacters(saved)).toBe(false);
      }),
    );
  }, 30_000);
});
