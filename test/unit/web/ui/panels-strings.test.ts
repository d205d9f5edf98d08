import { describe, expect, it } from 'vitest';
import '../../../../web/ui/files/strings.ts';
import '../../../../web/ui/members/strings.ts';
import '../../../../web/ui/trust/strings.ts';
import { LOCALES, locale, registeredKeys, t } from '../../../../web/ui/i18n/i18n.ts';

const AREAS = ['files.', 'trust.', 'members.'];
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('files, trust and members speak English, German and Spanish', () => {
  const keys = registeredKeys();
  const ours = (loc: (typeof LOCALES)[number]) =>
    [...keys[loc]].filter((k) => AREAS.some((a) => k.startsWith(a))).sort();

  it('every language has exactly the English keys', () => {
    expect(ours('en').length).toBeGreaterThan(50);
    for (const loc of LOCALES) expect(ours(loc)).toEqual(ours('en'));
  });

  it('every translation fills the same placeholders as the English', () => {
    for (const key of ours('en')) {
      locale.value = 'en';
      const english = placeholders(t(key));
      for (const loc of LOCALES) {
        locale.value = loc;
        expect({ key, loc, p: placeholders(t(key)) }).toEqual({ key, loc, p: english });
      }
    }
    locale.value = 'en';
  });

  it('the names tests and screen readers rely on are exact in English', () => {
    locale.value = 'en';
    expect(t('files.dropHint')).toBe('Drop files to share');
    expect(t('trust.changedBanner', { username: 'bob' })).toBe("bob's safety number has changed");
    expect(t('trust.dialogTitle', { username: 'bob' })).toBe('Safety number with bob');
    expect(t('members.actionsFor', { username: 'bob' })).toBe('Actions for bob');
  });
});
