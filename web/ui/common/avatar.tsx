/**
 * A round badge with a name's first letter: tells people and rooms apart at
 * a glance. People get a stable hue from their identity key (or name), set
 * as a computed CSS variable; the theme decides lightness and contrast.
 */
import { revealHidden } from '../trust/visible-text.ts';
import './common.css';

const HUES = 12;

function hueOf(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return (h % HUES) * (360 / HUES);
}

export function Avatar({
  name,
  ik,
  kind = 'user',
}: {
  name: string;
  ik?: string;
  kind?: 'user' | 'room';
}) {
  // A bidi control as the "letter" would reorder the text after the avatar.
  const letter = [...name.trim()].find((ch) => revealHidden(ch) === ch)?.toUpperCase() ?? '?';
  if (kind === 'room') {
    return (
      <span class="avatar avatar-room" aria-hidden="true">
        #
      </span>
    );
  }
  return (
    <span class="avatar" aria-hidden="true" style={{ '--avatar-hue': String(hueOf(ik ?? name)) }}>
      {letter}
    </span>
  );
}
