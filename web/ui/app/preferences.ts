/**
 * Theme and language: not secrets, so they live in localStorage and apply
 * before the first paint (no flash of the wrong theme). The theme is
 * `data-theme` on <html> (theme.css); "system" removes it so
 * prefers-color-scheme decides. The language sets <html lang>.
 */
import { effect, signal } from '@preact/signals';
import { isLocale, type Locale, locale, preferredLocale } from '../i18n/i18n.ts';

export const THEMES = ['light', 'dark', 'system', 'contrast'] as const;
export type ThemeChoice = (typeof THEMES)[number];

const THEME_KEY = 'parley.theme';
const LOCALE_KEY = 'parley.locale';

/** localStorage throws in some private modes and when storage is disabled. */
export function readSetting(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeSetting(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Not persisted: the choice still holds for this visit.
  }
}

function isTheme(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

function storedTheme(): ThemeChoice {
  const saved = readSetting(THEME_KEY);
  return isTheme(saved) ? saved : 'system';
}

function storedLocale(): Locale {
  const saved = readSetting(LOCALE_KEY);
  return isLocale(saved) ? saved : preferredLocale(navigator.languages ?? [navigator.language]);
}

export const theme = signal<ThemeChoice>('system');

/** Reads the saved choices and keeps <html> and storage in step with the signals. */
export function initPreferences(): void {
  theme.value = storedTheme();
  locale.value = storedLocale();
  effect(() => {
    const root = document.documentElement;
    if (theme.value === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme.value);
    writeSetting(THEME_KEY, theme.value);
  });
  effect(() => {
    document.documentElement.lang = locale.value;
    writeSetting(LOCALE_KEY, locale.value);
  });
}
