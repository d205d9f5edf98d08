/** The connection indicator (role status) and, when the connection is lost, the offline banner. */
import type { ReadonlySignal } from '@preact/signals';
import type { ConnectionView } from '../app/connection.ts';
import { ts } from '../app/strings.ts';
import { Icon } from '../common/icon.tsx';

const LABEL = {
  online: 'shell.status.online',
  connecting: 'shell.status.connecting',
  reconnecting: 'shell.status.reconnecting',
  offline: 'shell.status.offline',
} as const;

export function ConnectionStatus({ view }: { view: ReadonlySignal<ConnectionView> }) {
  return (
    <div class={`sb-status sb-status-${view.value}`} role="status">
      <span class="sb-status-dot" aria-hidden="true" />
      {ts(LABEL[view.value])}
    </div>
  );
}

export function OfflineBanner({ view }: { view: ReadonlySignal<ConnectionView> }) {
  if (view.value === 'online' || view.value === 'connecting') return null;
  return (
    <div class="app-offline" role="alert">
      <Icon name="offline" size={18} />
      {ts('shell.offlineBanner')}
    </div>
  );
}
