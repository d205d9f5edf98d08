/**
 * Every failure the app can meet has words in every language, and every
 * string any area registers exists in English, German and Spanish. The
 * strings modules are found on disk, so an area added later is checked too.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODE_LIST } from '../../../shared/protocol/errors.ts';
import { ACCOUNT_ERROR_CODES, AccountError } from '../../../web/core/account/account-errors.ts';
import { FileTransferError } from '../../../web/core/files/file-errors.ts';
import { HistoryError } from '../../../web/core/history/history-error.ts';
import { CLIENT_ERROR_CODES, RelayError } from '../../../web/core/relay-errors.ts';
import { MembershipError } from '../../../web/core/room-chain.ts';
import type { MembershipErrorCode } from '../../../web/ui/errors/error-codes.ts';
import { errorCode, errorMessage } from '../../../web/ui/errors/error-message.ts';
import { ERRORS_DE } from '../../../web/ui/errors/messages-de.ts';
import { ERRORS_EN } from '../../../web/ui/errors/messages-en.ts';
import { ERRORS_ES } from '../../../web/ui/errors/messages-es.ts';
import { LOCALES, locale, registeredKeys } from '../../../web/ui/i18n/i18n.ts';

const uiRoot = join(import.meta.dirname, '..', '..', '..', 'web', 'ui');

function stringsModules(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...stringsModules(path));
    else if (name === 'strings.ts') found.push(path);
  }
  return found;
}

/** The file codes are a type union; this list is checked against it by the language files' type. */
const FILE_CODES = Object.keys(ERRORS_EN).filter((code) => code.startsWith('FILE_'));
const HISTORY_CODES = Object.keys(ERRORS_EN).filter((code) => code.startsWith('HISTORY_'));

/**
 * The membership codes are type unions too (ChainError, ChainWriteError,
 * ChainRefusal): this list is typed by them, and the check below that every
 * CHAIN_ entry in English is listed here keeps the two from drifting apart.
 */
const MEMBERSHIP_CODES: readonly MembershipErrorCode[] = [
  'CHAIN_EMPTY',
  'CHAIN_MALFORMED',
  'CHAIN_BAD_CERT',
  'CHAIN_BAD_SIGNATURE',
  'CHAIN_BROKEN',
  'CHAIN_WRONG_ROOM',
  'CHAIN_FORBIDDEN',
  'CHAIN_EXISTS',
  'CHAIN_UNKNOWN_USER',
  'CHAIN_NO_ROOM',
  'CHAIN_FROM_FUTURE',
];

const EVERY_CODE = [
  ...ERROR_CODE_LIST,
  ...Object.keys(CLIENT_ERROR_CODES),
  ...Object.keys(ACCOUNT_ERROR_CODES),
  ...FILE_CODES,
  ...HISTORY_CODES,
  ...MEMBERSHIP_CODES,
];

const modules: string[] = stringsModules(uiRoot);

beforeAll(async () => {
  for (const path of modules) await import(pathToFileURL(path).href);
});

afterEach(() => {
  locale.value = 'en';
});

describe('error messages', () => {
  it('every relay, relay-client, account, file, history and membership code has words in every language', () => {
    for (const messages of [ERRORS_EN, ERRORS_DE, ERRORS_ES]) {
      for (const code of EVERY_CODE) {
        expect(messages[code as keyof typeof messages], code).toMatch(/\S/);
      }
    }
    expect(ERROR_CODE_LIST.length).toBeGreaterThan(30);
    expect(Object.keys(ACCOUNT_ERROR_CODES).length).toBeGreaterThan(20);
  });

  it('every room membership code has its own words in every language, and a MembershipError reads by its code', () => {
    expect(Object.keys(ERRORS_EN).filter((code) => code.startsWith('CHAIN_'))).toEqual(
      expect.arrayContaining([...MEMBERSHIP_CODES]),
    );
    expect(Object.keys(ERRORS_EN).filter((code) => code.startsWith('CHAIN_')).length).toBe(
      MEMBERSHIP_CODES.length,
    );
    for (const messages of [ERRORS_EN, ERRORS_DE, ERRORS_ES]) {
      for (const code of MEMBERSHIP_CODES) {
        expect(messages[code], code).toMatch(/\S/);
        expect(messages[code], code).not.toBe(messages.UNKNOWN);
      }
    }
    expect(errorMessage(new MembershipError('CHAIN_FORBIDDEN'))).toBe(ERRORS_EN.CHAIN_FORBIDDEN);
    locale.value = 'de';
    expect(errorMessage(new MembershipError('CHAIN_UNKNOWN_USER'))).toBe(
      ERRORS_DE.CHAIN_UNKNOWN_USER,
    );
    locale.value = 'es';
    expect(errorMessage(new MembershipError('CHAIN_NO_ROOM'))).toBe(ERRORS_ES.CHAIN_NO_ROOM);
    expect(errorCode(new MembershipError('CHAIN_EMPTY'))).toBe('CHAIN_EMPTY');
  });

  it('German and Spanish are translations, not English copies', () => {
    const sameAsEnglish = (other: Record<string, string>) =>
      Object.keys(ERRORS_EN).filter(
        (code) => other[code] === ERRORS_EN[code as keyof typeof ERRORS_EN],
      );
    expect(sameAsEnglish(ERRORS_DE)).toEqual([]);
    expect(sameAsEnglish(ERRORS_ES)).toEqual([]);
  });

  it('an error is put in words by its code, in the chosen language', () => {
    const taken = new RelayError('USERNAME_TAKEN');
    expect(errorMessage(taken)).toBe(ERRORS_EN.USERNAME_TAKEN);
    locale.value = 'de';
    expect(errorMessage(taken)).toBe(ERRORS_DE.USERNAME_TAKEN);
    locale.value = 'es';
    expect(errorMessage(new AccountError('WRONG_PASSWORD'))).toBe(ERRORS_ES.WRONG_PASSWORD);
    expect(errorMessage(new FileTransferError('FILE_TOO_LARGE'))).toBe(ERRORS_ES.FILE_TOO_LARGE);
    expect(errorMessage(new HistoryError('HISTORY_BLOCKED'))).toBe(ERRORS_ES.HISTORY_BLOCKED);
  });

  it('anything without a known code reads as a generic failure, never as raw exception text', () => {
    expect(errorMessage(new Error('secret internals at line 42'))).toBe(ERRORS_EN.UNKNOWN);
    expect(errorMessage({ code: 'NOT_A_REAL_CODE' })).toBe(ERRORS_EN.UNKNOWN);
    expect(errorMessage(null)).toBe(ERRORS_EN.UNKNOWN);
    expect(errorMessage(new TypeError('Failed to fetch'))).toBe(ERRORS_EN.NOT_CONNECTED);
    expect(errorCode({ code: 'ROOM_FULL' })).toBe('ROOM_FULL');
  });
});

describe('translations', () => {
  it(`every area registers its strings (${modules.length} strings modules found)`, () => {
    const names = modules.map((m) => relative(uiRoot, m));
    for (const area of ['app', 'onboarding', 'rooms', 'settings', 'errors', 'common']) {
      expect(names).toContain(join(area, 'strings.ts'));
    }
  });

  it('every key registered by any area exists in English, German and Spanish', () => {
    const keys = registeredKeys();
    const all = new Set(LOCALES.flatMap((l) => [...keys[l]]));
    for (const l of LOCALES) {
      expect(
        [...all].filter((key) => !keys[l].has(key)),
        `missing in ${l}`,
      ).toEqual([]);
    }
    expect(all.size).toBeGreaterThan(200);
  });
});
