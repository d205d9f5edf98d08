/**
 * What the connection indicator says, from the relay client's state and the
 * browser's own online flag (which flips at once when the network goes,
 * while a WebSocket may take a while to notice).
 */
import { computed, type ReadonlySignal, signal } from '@preact/signals';
import type { ParleyClient } from '../../core/client.ts';

export type ConnectionView = 'online' | 'connecting' | 'reconnecting' | 'offline';

const browserOnline = signal(typeof navigator === 'undefined' ? true : navigator.onLine);

export function watchBrowserOnline(): void {
  window.addEventListener('online', () => {
    browserOnline.value = true;
  });
  window.addEventListener('offline', () => {
    browserOnline.value = false;
  });
}

export function connectionView(client: ParleyClient): ReadonlySignal<ConnectionView> {
  let everOnline = false;
  return computed(() => {
    const state = client.connection.value;
    if (!browserOnline.value) return 'offline';
    if (state === 'online') {
      everOnline = true;
      return 'online';
    }
    if (state === 'offline' || state === 'closed') return 'offline';
    return everOnline ? 'reconnecting' : 'connecting';
  });
}
