/** The tab title carries the unread total: "(3) Parley". */
import { effect } from '@preact/signals';
import type { ParleyClient } from '../../core/client.ts';

export const APP_TITLE = 'Parley';

export function unreadTitle(total: number): string {
  return total > 0 ? `(${total}) ${APP_TITLE}` : APP_TITLE;
}

/** Keeps document.title in step; returns the disposer. */
export function syncUnreadTitle(client: ParleyClient): () => void {
  const stop = effect(() => {
    const total = client.conversations.value.reduce((sum, c) => sum + c.unread, 0);
    document.title = unreadTitle(total);
  });
  return () => {
    stop();
    document.title = APP_TITLE;
  };
}
