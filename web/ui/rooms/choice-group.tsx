/**
 * A labelled radiogroup of cards: icon, title (the radio's accessible name)
 * and a hint (its description). Used for a room's visibility and history.
 */
import { useId } from 'preact/hooks';
import { Icon, type IconName } from '../common/icon.tsx';
import './rooms.css';

export interface Choice<T extends string> {
  value: T;
  title: string;
  hint: string;
  icon: IconName;
}

export function ChoiceGroup<T extends string>({
  label,
  name,
  choices,
  value,
  disabled = false,
  onChange,
}: {
  label: string;
  /** The radios' form name (one per group on the page). */
  name: string;
  choices: readonly Choice<T>[];
  value: T;
  disabled?: boolean;
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <div class="field">
      <span class="field-label" id={`${id}-label`}>
        {label}
      </span>
      <div class="rm-choices" role="radiogroup" aria-labelledby={`${id}-label`}>
        {choices.map((choice) => (
          <label key={choice.value} class="rm-choice">
            <input
              type="radio"
              name={name}
              value={choice.value}
              checked={value === choice.value}
              disabled={disabled}
              aria-labelledby={`${id}-${choice.value}-title`}
              aria-describedby={`${id}-${choice.value}-hint`}
              onChange={() => onChange(choice.value)}
            />
            <Icon name={choice.icon} size={18} />
            <span class="rm-choice-text">
              <span class="rm-choice-title" id={`${id}-${choice.value}-title`}>
                {choice.title}
              </span>
              <span class="field-hint" id={`${id}-${choice.value}-hint`}>
                {choice.hint}
              </span>
            </span>
          </label>
        ))}
      </div>
    </div>
  );
}
