/** The confirmation before sign-out erases this device. */
import { signOutAndErase } from '../app/session.ts';
import { BusyButton } from '../common/busy-button.tsx';
import { Dialog } from '../common/dialog.tsx';
import { tc } from '../common/strings.ts';
import { useAction } from '../common/use-action.ts';
import { errorMessage } from '../errors/error-message.ts';
import { tset } from './strings.ts';

export function SignOutDialog({ onClose }: { onClose: () => void }) {
  const erase = useAction(signOutAndErase);
  return (
    <Dialog title={tset('settings.signOutTitle')} onClose={onClose}>
      <p class="dialog-text">{tset('settings.signOutBody')}</p>
      {erase.error ? (
        <p class="form-error" role="alert">
          {errorMessage(erase.error)}
        </p>
      ) : null}
      <div class="form-actions">
        <button type="button" class="btn" onClick={onClose}>
          {tc('common.cancel')}
        </button>
        <div>
          <BusyButton
            type="button"
            variant="danger"
            busy={erase.busy}
            busyText={tset('settings.erasing')}
            onClick={() => void erase.run()}
          >
            {tset('settings.signOutConfirm')}
          </BusyButton>
        </div>
      </div>
    </Dialog>
  );
}
