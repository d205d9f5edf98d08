/**
 * Being kicked or banned shows why, in the person's language, and an open
 * view of that room gives way to home; another room on screen stays.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { route } from '../../../web/ui/app/route.ts';
import { locale } from '../../../web/ui/i18n/i18n.ts';
import { clearNotices, notices } from '../../../web/ui/notifications/background-errors.ts';
import { announceRoomRemoval } from '../../../web/ui/notifications/room-removed.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal('location', { hash: '' });
  clearNotices();
});

afterEach(() => {
  clearNotices();
  locale.value = 'en';
  route.value = { name: 'home' };
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('removed from a room', () => {
  it('a kick and a ban each say so with the room’s name', () => {
    announceRoomRemoval({ roomId: 'r1', roomName: 'town-square', reason: 'kicked', by: 'u1' });
    announceRoomRemoval({ roomId: 'r2', roomName: '<b>x</b>', reason: 'banned' });
    expect(notices.value.map((n) => n.message)).toEqual([
      'You were removed from town-square',
      'You were banned from <b>x</b>',
    ]);
  });

  it('speaks German and Spanish', () => {
    locale.value = 'de';
    announceRoomRemoval({ roomId: 'r1', roomName: 'platz', reason: 'banned' });
    locale.value = 'es';
    announceRoomRemoval({ roomId: 'r2', roomName: 'plaza', reason: 'kicked' });
    expect(notices.value.map((n) => n.message)).toEqual([
      'Du wurdest aus platz verbannt',
      'Te han expulsado de plaza',
    ]);
  });

  it('the open room gives way to home; another open room stays', () => {
    route.value = { name: 'room', id: 'r1' };
    announceRoomRemoval({ roomId: 'r2', roomName: 'other', reason: 'kicked' });
    expect(route.value).toEqual({ name: 'room', id: 'r1' });
    announceRoomRemoval({ roomId: 'r1', roomName: 'this', reason: 'kicked' });
    expect(route.value).toEqual({ name: 'home' });
  });
});
