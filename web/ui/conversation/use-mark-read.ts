/**
 * Marks the conversation read while someone can actually see its newest
 * messages: the page is visible, the window has focus, and the list is at
 * the bottom. Batched, since a burst of messages needs one receipt.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import type { MessageView } from '../../core/history/message-view.ts';

const MARK_READ_DELAY_MS = 400;

function seeing(): boolean {
  return document.visibilityState === 'visible' && document.hasFocus();
}

export function useMarkRead(
  client: ParleyClient,
  convId: string,
  atBottom: boolean,
  messages: readonly MessageView[],
): void {
  const [visible, setVisible] = useState(seeing);
  useEffect(() => {
    const update = () => setVisible(seeing());
    window.addEventListener('focus', update);
    window.addEventListener('blur', update);
    document.addEventListener('visibilitychange', update);
    return () => {
      window.removeEventListener('focus', update);
      window.removeEventListener('blur', update);
      document.removeEventListener('visibilitychange', update);
    };
  }, []);
  useEffect(() => {
    if (!visible || !atBottom) return;
    const timer = setTimeout(() => {
      client.markRead(convId).catch(() => undefined);
    }, MARK_READ_DELAY_MS);
    return () => clearTimeout(timer);
  }, [visible, atBottom, messages, client, convId]);
}
