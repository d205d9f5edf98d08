/** Registers the error messages as `errors.<CODE>` in every language. */
import { defineStrings, type StringBundle } from '../i18n/i18n.ts';
import type { ErrorKey, ErrorMessages } from './error-codes.ts';
import { ERRORS_DE } from './messages-de.ts';
import { ERRORS_EN } from './messages-en.ts';
import { ERRORS_ES } from './messages-es.ts';

type ErrorStringKey = `errors.${ErrorKey}`;

function prefixed(messages: ErrorMessages): Record<ErrorStringKey, string> {
  return Object.fromEntries(
    Object.entries(messages).map(([code, text]) => [`errors.${code}`, text]),
  ) as Record<ErrorStringKey, string>;
}

const bundle: StringBundle<ErrorStringKey> = {
  en: prefixed(ERRORS_EN),
  de: prefixed(ERRORS_DE),
  es: prefixed(ERRORS_ES),
};

export const te = defineStrings(bundle);

/** The codes that have words: anything else shows UNKNOWN. */
export const KNOWN_ERROR_KEYS: ReadonlySet<string> = new Set(Object.keys(ERRORS_EN));
