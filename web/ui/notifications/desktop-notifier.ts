/**
 * Desktop notifications for messages that arrive while Parley is not being
 * looked at (hidden tab or unfocused window), when the person turned them
 * on. Driven by the unread counters: a conversation whose count grows got
 * a message from someone else. The title is the conversation's name (hidden
 * characters revealed); the body is "New message", or the message's start
 * when the person chose to show message text (off by default: lock
 * screens). A click focuses the tab and opens the conversation.
 */
import { effect } from '@preact/signals';
import type { ConversationSummary, ParleyClient } from '../../core/client.ts';
import { navigate } from '../app/route.ts';
import { ts } from '../app/strings.ts';
import { revealHidden } from '../trust/visible-text.ts';
import { desktopNotifications, notifyPreview, permission } from './desktop-preference.ts';

const MAX_BODY_CHARS = 140;

function away(): boolean {
  return document.visibilityState === 'hidden' || !document.hasFocus();
}

/** The notification's body: generic unless message text was allowed. */
export function notificationBody(preview: string | null, showText: boolean): string {
  const body = showText && preview ? preview : ts('shell.notifyFallback');
  return body.length > MAX_BODY_CHARS ? `${body.slice(0, MAX_BODY_CHARS - 1)}…` : body;
}

function show(summary: ConversationSummary): void {
  const title = ts('shell.notifyTitle', { name: revealHidden(summary.title) });
  const notification = new Notification(title, {
    body: notificationBody(summary.preview, notifyPreview.peek()),
    tag: summary.convId,
    icon: '/favicon.svg',
  });
  notification.onclick = () => {
    window.focus();
    navigate(
      summary.kind === 'room'
        ? { name: 'room', id: summary.convId }
        : { name: 'dm', id: summary.convId },
    );
    notification.close();
  };
}

export function notifyOnNewMessages(client: ParleyClient): () => void {
  let seen = new Map<string, number>(client.conversations.peek().map((c) => [c.convId, c.unread]));
  return effect(() => {
    const now = client.conversations.value;
    const enabled = desktopNotifications.value && permission.value === 'granted';
    const before = seen;
    seen = new Map(now.map((c) => [c.convId, c.unread]));
    if (!enabled || !away()) return;
    for (const summary of now) {
      if (summary.unread > (before.get(summary.convId) ?? 0)) {
        try {
          show(summary);
        } catch {
          // Some platforms (Android Chrome) only allow notifications from a service worker.
        }
      }
    }
  });
}
