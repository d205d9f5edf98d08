/**
 * Desktop notifications keep message text off the lock screen unless the
 * person chose otherwise, and a room's name cannot hide a bidi override in
 * the notification's title.
 */
import { signal } from '@preact/signals';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationSummary, ParleyClient } from '../../../../web/core/client.ts';

interface Shown {
  title: string;
  body: string | undefined;
}

let shown: Shown[];
let stored: Map<string, string>;

class FakeNotification {
  static permission = 'granted';
  onclick: (() => void) | null = null;
  constructor(title: string, options: NotificationOptions = {}) {
    shown.push({ title, body: options.body });
  }
  close(): void {}
}

beforeEach(() => {
  vi.resetModules();
  shown = [];
  stored = new Map();
  vi.stubGlobal('Notification', FakeNotification);
  vi.stubGlobal('document', { visibilityState: 'hidden', hasFocus: () => false });
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => stored.get(key) ?? null,
    setItem: (key: string, value: string) => stored.set(key, value),
    removeItem: (key: string) => stored.delete(key),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function summary(over: Partial<ConversationSummary>): ConversationSummary {
  return {
    convId: 'c1',
    kind: 'room',
    title: 'general',
    unread: 0,
    preview: null,
    lastActivityTs: 0,
    ...over,
  };
}

/** The notifier over a conversation list; `arrive` is one new message from someone else. */
async function notifier() {
  const preference = await import('../../../../web/ui/notifications/desktop-preference.ts');
  const { notifyOnNewMessages } = await import(
    '../../../../web/ui/notifications/desktop-notifier.ts'
  );
  preference.desktopNotifications.value = true;
  preference.permission.value = 'granted';
  const conversations = signal<ConversationSummary[]>([summary({})]);
  const stop = notifyOnNewMessages({ conversations } as unknown as ParleyClient);
  const arrive = (over: Partial<ConversationSummary>) => {
    const before = conversations.value[0]?.unread ?? 0;
    conversations.value = [summary({ unread: before + 1, ...over })];
  };
  return { preference, arrive, stop };
}

describe('desktop notifications', () => {
  it('say only "New message" by default, not the decrypted text', async () => {
    const { preference, arrive, stop } = await notifier();
    expect(preference.notifyPreview.value).toBe(false);
    arrive({ preview: 'bob: the door code is 4711' });
    stop();
    expect(shown).toEqual([{ title: 'general', body: 'New message' }]);
  });

  it('show the message text once the person turns it on, and the choice is remembered', async () => {
    const first = await notifier();
    first.preference.setNotifyPreview(true);
    first.stop();
    expect(stored.get('parley.notifications.preview')).toBe('on');

    vi.resetModules();
    const later = await notifier();
    expect(later.preference.notifyPreview.value).toBe(true);
    later.arrive({ preview: 'bob: see you at 5' });
    later.stop();
    expect(shown).toEqual([{ title: 'general', body: 'bob: see you at 5' }]);
  });

  it('use the generic text in the person’s language', async () => {
    const { arrive, stop } = await notifier();
    // The modules were loaded afresh: this is the locale they read.
    const i18n = await import('../../../../web/ui/i18n/i18n.ts');
    i18n.locale.value = 'de';
    arrive({ preview: 'geheim' });
    stop();
    expect(shown[0]?.body).toBe('Neue Nachricht');
  });

  it('show a room name’s bidi override as a visible marker in the title', async () => {
    const { arrive, stop } = await notifier();
    arrive({ title: 'notes\u202Etxt.exe' });
    stop();
    expect(shown[0]?.title).toBe('notes<U+202E>txt.exe');
  });
});
