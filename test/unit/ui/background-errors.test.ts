/**
 * Failures in background work reach the screen as words, once per code at a
 * time and not again within a minute, a few at most, and never as the raw
 * error text.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountError } from '../../../web/core/account/account-errors.ts';
import { RelayError } from '../../../web/core/relay-errors.ts';
import { MembershipError } from '../../../web/core/room-chain.ts';
import { ERRORS_EN } from '../../../web/ui/errors/messages-en.ts';
import '../../../web/ui/errors/strings.ts';
import {
  clearNotices,
  dismissNotice,
  notices,
  reportBackgroundError,
} from '../../../web/ui/notifications/background-errors.ts';

beforeEach(() => {
  vi.useFakeTimers();
  clearNotices();
});

afterEach(() => {
  clearNotices();
  vi.useRealTimers();
});

describe('background failures as notices', () => {
  it('a failure shows its translated message, never the raw error text', () => {
    reportBackgroundError(new Error('IDBDatabase at /secret/path exploded'));
    reportBackgroundError(new MembershipError('CHAIN_FORBIDDEN'));
    const shown = notices.value.map((n) => n.message);
    expect(shown).toEqual([ERRORS_EN.UNKNOWN, ERRORS_EN.CHAIN_FORBIDDEN]);
    expect(shown.join(' ')).not.toMatch(/secret|IDBDatabase|parley\/membership/);
  });

  it('the same code shows once while on screen and not again within a minute', () => {
    for (let i = 0; i < 50; i++) reportBackgroundError(new RelayError('REQUEST_TIMEOUT'));
    expect(notices.value).toHaveLength(1);
    dismissNotice(notices.value[0]!.id);
    reportBackgroundError(new RelayError('REQUEST_TIMEOUT'));
    expect(notices.value).toHaveLength(0);
    vi.advanceTimersByTime(61_000);
    reportBackgroundError(new RelayError('REQUEST_TIMEOUT'));
    expect(notices.value).toHaveLength(1);
  });

  it('a notice goes by itself after a while, and a flood of codes keeps only the latest few', () => {
    reportBackgroundError(new AccountError('RATE_LIMITED'), 'Could not renew this device’s keys');
    expect(notices.value[0]?.title).toBe('Could not renew this device’s keys');
    vi.advanceTimersByTime(13_000);
    expect(notices.value).toHaveLength(0);
    for (const code of ['CHAIN_EMPTY', 'CHAIN_BROKEN', 'CHAIN_NO_ROOM', 'CHAIN_EXISTS'] as const) {
      reportBackgroundError(new MembershipError(code));
    }
    expect(notices.value.map((n) => n.message)).toEqual([
      ERRORS_EN.CHAIN_BROKEN,
      ERRORS_EN.CHAIN_NO_ROOM,
      ERRORS_EN.CHAIN_EXISTS,
    ]);
  });
});
