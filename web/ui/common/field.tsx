/** A labelled input with an optional hint and error, wired with aria-describedby. */
import type { TargetedEvent } from 'preact';
import { useId } from 'preact/hooks';

export interface FieldProps {
  label: string;
  hint?: string | undefined;
  error?: string | null | undefined;
  value: string;
  onInput: (event: TargetedEvent<HTMLInputElement, Event>) => void;
  type?: 'text' | 'password';
  autocomplete?: string;
  autocapitalize?: 'none' | 'off';
  spellcheck?: boolean;
  required?: boolean;
  maxLength?: number;
  autoFocus?: boolean;
}

export function Field({ label, hint, error, type = 'text', ...input }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ');
  const common = {
    id,
    class: 'input',
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy || undefined,
  };
  return (
    <div class="field">
      <label class="field-label" for={id}>
        {label}
      </label>
      {type === 'password' ? (
        <input {...input} {...common} type="password" />
      ) : (
        <input {...input} {...common} type="text" />
      )}
      {hint && (
        <p class="field-hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p class="form-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

export function Checkbox({
  label,
  checked,
  onChange,
  hint,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label class="check">
        <input
          type="checkbox"
          checked={checked}
          aria-describedby={hint ? `${id}-hint` : undefined}
          onChange={(event) => onChange(event.currentTarget.checked)}
        />
        <span>{label}</span>
      </label>
      {hint && (
        <p class="field-hint check-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}
