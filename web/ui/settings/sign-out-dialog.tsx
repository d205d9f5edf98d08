/** The confirmation before sign-out erases this device. */
import { signOutAndErase } from '../app/session.ts';
import { ConfirmDialog } from '../common/confirm-dialog.tsx';
import { tset } from './strings.ts';

export function SignOutDialog({ onClose }: { onClose: () => void }) {
  return (
    <ConfirmDialog
      title={tset('settings.signOutTitle')}
      body={tset('settings.signOutBody')}
      confirmLabel={tset('settings.signOutConfirm')}
      busyLabel={tset('settings.erasing')}
      onConfirm={signOutAndErase}
      onClose={onClose}
    />
  );
}
