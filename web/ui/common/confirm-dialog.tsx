/**
 * "Are you sure?" before something that cannot be undone (leave a room,
 * erase this device): Cancel, or a danger button that shows progress and,
 * if the action fails, the failure in words while the dialog stays open.
 */
import type { ComponentChildren } from 'preact';
import { errorMessage } from '../errors/error-message.ts';
import { BusyButton } from './busy-button.tsx';
import { Dialog } from './dialog.tsx';
import { tc } from './strings.ts';
import { useAction } from './use-action.ts';

export function ConfirmDialog({
  title,
  body,
  confirmLabel,
  busyLabel,
  alert = false,
  onConfirm,
  onClose,
}: {
  /** Text, or text with a <ShownName> in it; the dialog's accessible name. */
  title: ComponentChildren;
  body: ComponentChildren;
  confirmLabel: string;
  busyLabel: string;
  /** Passed to Dialog: styles it as a destructive confirmation. */
  alert?: boolean;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const confirm = useAction(onConfirm);
  return (
    <Dialog title={title} onClose={onClose} alert={alert}>
      <p class="dialog-text">{body}</p>
      {confirm.error ? (
        <p class="form-error" role="alert">
          {errorMessage(confirm.error)}
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
            busy={confirm.busy}
            busyText={busyLabel}
            onClick={() => void confirm.run()}
          >
            {confirmLabel}
          </BusyButton>
        </div>
      </div>
    </Dialog>
  );
}
