/**
 * Failures nobody asked about (storing a received message, an ack, the
 * weekly prekey rotation) as short notices: one per error code at a time,
 * the same code not again for a while after it was shown, and never more
 * than a few on screen. Only the translated message is kept, never the
 * error itself: its text may be developer prose or carry details (ids,
 * paths) that do not belong on screen. The same stack carries other news
 * the person did not ask for (`showNotice`: removed from a room).
 */
import { signal } from '@preact/signals';
import { errorCode, errorMessage } from '../errors/error-message.ts';

/** A code shown once is not shown again within this window (a failing loop must not flood). */
const REPEAT_AFTER_MS = 60_000;
/** Long enough to read twice; the notice can be dismissed sooner. */
const SHOW_FOR_MS = 12_000;
const MAX_VISIBLE = 3;

export interface Notice {
  id: number;
  /** Code and title: what de-duplicates and rate-limits. */
  key: string;
  /** What was being done, when the message alone would not say (a background task's name). */
  title: string | null;
  message: string;
}

export const notices = signal<readonly Notice[]>([]);

const lastShownAt = new Map<string, number>();
const timers = new Map<number, ReturnType<typeof setTimeout>>();
let nextId = 1;

export function dismissNotice(id: number): void {
  clearTimeout(timers.get(id));
  timers.delete(id);
  notices.value = notices.value.filter((n) => n.id !== id);
}

/**
 * Shows `error` in words (under `title`, if given) unless the same code is
 * on screen or was shown within the last minute.
 */
export function reportBackgroundError(error: unknown, title: string | null = null): void {
  const nowMs = Date.now();
  const key = `${errorCode(error) ?? 'UNKNOWN'}\n${title ?? ''}`;
  if (notices.value.some((n) => n.key === key)) return;
  const last = lastShownAt.get(key);
  // A clock that went backwards does not silence a code for good.
  if (last !== undefined && nowMs >= last && nowMs - last < REPEAT_AFTER_MS) return;
  lastShownAt.set(key, nowMs);
  showNotice(key, title, errorMessage(error));
}

/**
 * Shows a notice that is already words (not an error), unless one with the
 * same `key` is on screen. Keeps at most a few, the newest last.
 */
export function showNotice(key: string, title: string | null, message: string): void {
  if (notices.value.some((n) => n.key === key)) return;
  const notice: Notice = { id: nextId++, key, title, message };
  const kept = notices.value.slice(-(MAX_VISIBLE - 1));
  for (const dropped of notices.value.slice(0, notices.value.length - kept.length)) {
    clearTimeout(timers.get(dropped.id));
    timers.delete(dropped.id);
  }
  notices.value = [...kept, notice];
  timers.set(
    notice.id,
    setTimeout(() => dismissNotice(notice.id), SHOW_FOR_MS),
  );
}

/** Sign-out: nothing of the last session lingers. */
export function clearNotices(): void {
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  lastShownAt.clear();
  notices.value = [];
}
