/** A submit button that shows a spinner and its busy text while the action runs. */
import type { ComponentChildren } from 'preact';
import { Spinner } from './spinner.tsx';

export function BusyButton({
  busy,
  busyText,
  disabled = false,
  variant = 'primary',
  children,
  type = 'submit',
  onClick,
}: {
  busy: boolean;
  busyText: string;
  disabled?: boolean;
  variant?: 'primary' | 'danger' | 'plain';
  children: ComponentChildren;
  type?: 'submit' | 'button';
  onClick?: () => void;
}) {
  const variantClass = variant === 'plain' ? '' : ` btn-${variant}`;
  return (
    <button
      type={type}
      class={`btn btn-block${variantClass}`}
      disabled={disabled || busy}
      aria-disabled={busy ? 'true' : undefined}
      onClick={onClick}
    >
      {busy ? <Spinner /> : null}
      {busy ? busyText : children}
    </button>
  );
}
