/**
 * The end of every onboarding form: "Remember me on this device", the
 * failure in words (if the last try failed) and the submit button.
 */
import type { ComponentChildren } from 'preact';
import { BusyButton } from '../common/busy-button.tsx';
import { Checkbox } from '../common/field.tsx';
import { errorMessage } from '../errors/error-message.ts';
import { to } from './strings.ts';

export function RememberAndSubmit({
  remember,
  onRememberChange,
  action,
  busyText,
  disabled,
  children,
}: {
  remember: boolean;
  onRememberChange: (remember: boolean) => void;
  /** The form's submit action (from useAction). */
  action: { busy: boolean; error: unknown };
  busyText: string;
  disabled: boolean;
  children: ComponentChildren;
}) {
  return (
    <>
      <Checkbox
        label={to('onboarding.remember')}
        hint={to('onboarding.rememberHint')}
        checked={remember}
        onChange={onRememberChange}
      />
      {action.error ? (
        <p class="form-error" role="alert">
          {errorMessage(action.error)}
        </p>
      ) : null}
      <BusyButton busy={action.busy} busyText={busyText} disabled={disabled}>
        {children}
      </BusyButton>
    </>
  );
}
