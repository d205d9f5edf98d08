/**
 * The one-time inline question about desktop notifications. It appears
 * only after the person has sent a message in this visit (they are using
 * Parley, and the browser's permission prompt then follows a click), never
 * on load.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ParleyClient } from '../../core/client.ts';
import { ts } from '../app/strings.ts';
import { Icon } from '../common/icon.tsx';
import { alreadyAsked, markAsked, setDesktopNotifications } from './desktop-preference.ts';
import './notifications.css';

function sentSince(client: ParleyClient, convId: string, deviceId: string, since: number): boolean {
  const messages = client.conversation(convId)?.messages.value ?? [];
  return messages.some((m) => m.authorDevice === deviceId && m.ts >= since);
}

export function NotifyPrompt({
  client,
  convId,
  deviceId,
}: {
  client: ParleyClient;
  convId: string | null;
  deviceId: string;
}) {
  const [since] = useState(Date.now);
  const [dismissed, setDismissed] = useState(alreadyAsked);
  const sent = convId ? sentSince(client, convId, deviceId, since) : false;
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (sent && !dismissed) setShow(true);
  }, [sent, dismissed]);
  if (!show || dismissed) return null;
  const close = () => {
    markAsked();
    setDismissed(true);
  };
  return (
    <div class="nt-prompt">
      <Icon name="message" size={18} />
      <p class="nt-prompt-text">{ts('shell.notifyPrompt')}</p>
      <div class="nt-prompt-actions">
        <button
          type="button"
          class="btn btn-small btn-primary"
          onClick={() => {
            void setDesktopNotifications(true).finally(close);
          }}
        >
          {ts('shell.notifyEnable')}
        </button>
        <button type="button" class="btn btn-small btn-ghost" onClick={close}>
          {ts('shell.notifyLater')}
        </button>
      </div>
    </div>
  );
}
