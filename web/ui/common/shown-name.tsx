/**
 * Names other people choose (rooms, users) as they are shown. Bidi
 * controls and invisible characters become visible markers (revealHidden):
 * "notes<U+202E>txt.exe" instead of a name reading "notesexe.txt". The name
 * also sits in <bdi>, so a right-to-left name cannot reorder the words
 * around it ("Leave {name}?"). Plain-text places (aria-labels, notification
 * titles) use revealHidden alone.
 */
import type { ComponentChildren } from 'preact';
import { revealHidden } from '../trust/visible-text.ts';

/** A private-use character no translation contains: marks where the name goes. */
const NAME_SLOT = '\uE000';

export function ShownName({ name }: { name: string }) {
  return <bdi>{revealHidden(name)}</bdi>;
}

/**
 * A translated sentence holding a name, e.g. `(name) => ts('shell.leaveTitle', { name })`,
 * rendered with the name as <ShownName>. The sentence's own words stay text.
 */
export function withShownName(sentence: (name: string) => string, name: string): ComponentChildren {
  const parts = sentence(NAME_SLOT).split(NAME_SLOT);
  return parts.flatMap((part, i) => (i === 0 ? [part] : [<ShownName key={i} name={name} />, part]));
}
