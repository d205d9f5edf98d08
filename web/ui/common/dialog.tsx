/**
 * A modal dialog on the platform's <dialog>: showModal() makes the rest of
 * the page inert (focus cannot leave, screen readers stay inside) and Escape
 * fires `cancel`, which we route to onClose so the owner's state decides.
 * Focus goes back to whatever opened the dialog when it unmounts.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { Icon } from './icon.tsx';
import { tc } from './strings.ts';
import './common.css';

export interface DialogProps {
  /** Text, or text with a <ShownName> in it (a name someone else chose). */
  title: ComponentChildren;
  onClose: () => void;
  children: ComponentChildren;
  /** Wider layout for pages like Settings. */
  size?: 'small' | 'large';
  /**
   * A confirmation that destroys something: styled as such. The role stays
   * "dialog" (not alertdialog) because the app's tests and contract find
   * every dialog by that role and its name.
   */
  alert?: boolean;
}

export function Dialog({ title, onClose, children, size = 'small', alert = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      class={`dialog dialog-${size}${alert ? ' dialog-alert' : ''}`}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        close.current();
      }}
      onMouseDown={(event) => {
        // A press on the backdrop (the dialog box itself, outside its content) closes.
        if (event.target === ref.current) close.current();
      }}
    >
      <div class="dialog-body">
        <header class="dialog-head">
          <h2 id={titleId} class="dialog-title">
            {title}
          </h2>
          <button
            type="button"
            class="icon-btn"
            aria-label={tc('common.close')}
            onClick={() => close.current()}
          >
            <Icon name="close" />
          </button>
        </header>
        {children}
      </div>
    </dialog>
  );
}
