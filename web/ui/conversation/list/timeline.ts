/**
 * The rows a conversation shows, from its messages (oldest first): a day
 * separator where the calendar day changes, and each message marked as the
 * start of a group or a continuation. Consecutive messages by one author
 * within five minutes, on the same day, read as one group (name and time
 * shown once), as in Slack or Signal.
 */
import type { MessageView } from '../../../core/history/message-view.ts';

/** Messages closer than this to the previous one by the same author join its group. */
export const GROUP_WINDOW_MS = 5 * 60_000;

export type TimelineRow =
  | { kind: 'day'; key: string; dayMs: number }
  | { kind: 'unread'; key: 'unread' }
  | { kind: 'message'; key: string; message: MessageView; groupStart: boolean };

/** Local calendar day of a timestamp, as midnight (ms); injectable for tests. */
export type DayOf = (ts: number) => number;

export const localDayOf: DayOf = (ts) => {
  const d = new Date(ts);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
};

/**
 * `unreadFrom`: the id of the first message that was unread when the
 * conversation opened; a "New messages" line goes before it.
 */
export function buildTimeline(
  messages: readonly MessageView[],
  dayOf: DayOf = localDayOf,
  unreadFrom: string | null = null,
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let previous: MessageView | undefined;
  let previousDay = Number.NaN;
  for (const message of messages) {
    const day = dayOf(message.ts);
    const newDay = day !== previousDay;
    if (newDay) rows.push({ kind: 'day', key: `day:${day}`, dayMs: day });
    const unread = message.id === unreadFrom;
    if (unread) rows.push({ kind: 'unread', key: 'unread' });
    const groupStart =
      newDay ||
      unread ||
      !previous ||
      previous.authorIk !== message.authorIk ||
      message.ts - previous.ts > GROUP_WINDOW_MS ||
      message.ts < previous.ts ||
      // A reply carries its own quote: it starts a group so the quote reads in context.
      message.replyTo !== null;
    rows.push({ kind: 'message', key: message.id, message, groupStart });
    previous = message;
    previousDay = day;
  }
  return rows;
}

/** "Today", "Yesterday", or a date in the reader's language. */
export function dayLabel(
  dayMs: number,
  nowMs: number,
  locale: string,
  words: { today: string; yesterday: string },
  dayOf: DayOf = localDayOf,
): string {
  const today = dayOf(nowMs);
  if (dayMs === today) return words.today;
  // One day back by calendar, not by 24 h (daylight-saving days are 23 or 25 h).
  const d = new Date(today);
  const yesterday = dayOf(new Date(d.getFullYear(), d.getMonth(), d.getDate() - 1).getTime());
  if (dayMs === yesterday) return words.yesterday;
  const sameYear = new Date(dayMs).getFullYear() === new Date(nowMs).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(dayMs);
}
