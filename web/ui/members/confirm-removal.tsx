/** "Kick alice?" / "Ban alice?": removing someone is confirmed first. */
import { useState } from 'preact/hooks';
import { Dialog } from '../common/dialog.tsx';
import { tm } from './strings.ts';

export function ConfirmRemoval(props: {
  action: 'kick' | 'ban';
  username: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const { action, username } = props;
  const confirm = () => {
    setBusy(true);
    // The panel reports failures; the dialog closes either way.
    props.onConfirm().finally(() => props.onClose());
  };
  return (
    <Dialog
      title={
        action === 'kick'
          ? tm('members.kickTitle', { username })
          : tm('members.banTitle', { username })
      }
      onClose={props.onClose}
      alert
    >
      <p class="members-confirm-body">
        {action === 'kick'
          ? tm('members.kickBody', { username })
          : tm('members.banBody', { username })}
      </p>
      <div class="members-confirm-actions">
        <button type="button" class="btn" onClick={props.onClose}>
          {tm('members.cancel')}
        </button>
        <button type="button" class="btn btn-danger" disabled={busy} onClick={confirm}>
          {action === 'kick' ? tm('members.kick') : tm('members.ban')}
        </button>
      </div>
    </Dialog>
  );
}
