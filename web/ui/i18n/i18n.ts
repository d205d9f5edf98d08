/**
 * Translations. Each area of the app owns its strings in a `strings.ts` next
 * to its components (`defineStrings({ en, de, es })`, keys prefixed with the
 * area: `conv.reply`) and registers them at import time; `t(key, params)`
 * reads the `locale` signal, so a component that calls it re-renders when the
 * language changes. German and Spanish must carry every English key: the
 * type of `defineStrings` says so, and a unit test checks the registry.
 */
import { computed, signal } from '@preact/signals';

export const LOCALES = ['en', 'de', 'es'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's name in itself, for the language picker. */
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  de: 'Deutsch',
  es: 'Español',
};

export type Strings<K extends string> = Record<K, string>;

export interface StringBundle<K extends string> {
  en: Strings<K>;
  de: Strings<K>;
  es: Strings<K>;
}

const registry: Record<Locale, Map<string, string>> = {
  en: new Map(),
  de: new Map(),
  es: new Map(),
};

/** Registers an area's strings; returns a typed `t` restricted to its keys. */
export function defineStrings<K extends string>(
  bundle: StringBundle<K>,
): (key: K, params?: Record<string, string | number>) => string {
  for (const locale of LOCALES) {
    for (const [key, text] of Object.entries(bundle[locale]) as [string, string][]) {
      registry[locale].set(key, text);
    }
  }
  return (key, params) => t(key, params);
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The browser's preferred language if we have it, else English. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}

export const locale = signal<Locale>('en');

/** For `Intl` formatters (dates, numbers, plural rules). */
export const intlLocale = computed(() => locale.value);

/**
 * The text for `key` in the current language with `{name}` placeholders
 * filled. A key missing everywhere shows as itself, so a gap is visible
 * rather than blank (and the registry test fails).
 */
export function t(key: string, params?: Record<string, string | number>): string {
  const text = registry[locale.value].get(key) ?? registry.en.get(key) ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** Every registered key per locale (for the completeness test). */
export function registeredKeys(): Record<Locale, ReadonlySet<string>> {
  return {
    en: new Set(registry.en.keys()),
    de: new Set(registry.de.keys()),
    es: new Set(registry.es.keys()),
  };
}
