/**
 * Where focus goes when the Settings page closes (WCAG 2.4.3): the page's
 * controls leave with it, and focus dropped on <body> sends a keyboard user
 * back to the top of the app.
 */
import { SETTINGS_BUTTON_CLASS } from '../sidebar/sidebar.tsx';

/** The element that has focus now, unless focus is nowhere (on <body>). */
export function focusedElement(): HTMLElement | null {
  const active = document.activeElement;
  return active instanceof HTMLElement && active !== document.body ? active : null;
}

/**
 * After Settings is gone, focus would be left on <body> (the focused control
 * was removed with the page) and a keyboard user would start over at the top.
 * Unless something else took focus (a click on a conversation), it goes to
 * what opened Settings, else the "Settings" button, else the main region;
 * each only if it can take focus now (on phones the sidebar is hidden).
 */
export function returnFocus(opener: HTMLElement | null): void {
  if (focusedElement()) return;
  const takes = (candidate: HTMLElement | null): boolean => {
    if (!candidate?.isConnected) return false;
    candidate.focus({ preventScroll: true });
    return document.activeElement === candidate;
  };
  if (takes(opener)) return;
  if (takes(document.querySelector<HTMLElement>(`.${SETTINGS_BUTTON_CLASS}`))) return;
  const main = document.querySelector<HTMLElement>('main');
  // Focusable by script only: a landmark is not a tab stop.
  if (main && !main.hasAttribute('tabindex')) main.tabIndex = -1;
  takes(main);
}
