/** The list's non-message rows (top, day separator) and every row's first height guess. */
import { tc } from '../strings.ts';
import { dayLabel, type TimelineRow } from './timeline.ts';

export type Row = TimelineRow | { kind: 'top'; key: 'top' };

/** Above the first message: loading older, the start of the conversation, or empty. */
export function TopRow(props: { loading: boolean; reachedStart: boolean; empty: boolean }) {
  let text: string | null = null;
  if (props.loading) text = tc('conv.loadingOlder');
  else if (props.empty) text = tc('conv.empty');
  else if (props.reachedStart) text = tc('conv.start');
  return <div class="conv-top">{text ? <span>{text}</span> : null}</div>;
}

export function DayRow({ dayMs, nowMs, lang }: { dayMs: number; nowMs: number; lang: string }) {
  return (
    <h2 class="conv-day">
      <span>
        {dayLabel(dayMs, nowMs, lang, { today: tc('conv.today'), yesterday: tc('conv.yesterday') })}
      </span>
    </h2>
  );
}

const LINE_PX = 21;
const CHARS_PER_LINE = 70;

/** Where the messages that were unread on opening begin. */
export function UnreadRow() {
  return (
    <div class="conv-unread">
      <span>{tc('conv.newMessages')}</span>
    </div>
  );
}

/** A first guess until the row is measured (only rows far from view keep it). */
export function estimateRowHeight(row: Row): number {
  if (row.kind === 'top') return 56;
  if (row.kind === 'day') return 44;
  if (row.kind === 'unread') return 28;
  const m = row.message;
  const lines = m.file ? 4 : Math.max(1, Math.ceil(m.text.length / CHARS_PER_LINE));
  let h = 8 + lines * LINE_PX;
  if (row.groupStart) h += 30;
  if (m.replyTo) h += 30;
  if (m.reactions.length) h += 34;
  return h;
}
