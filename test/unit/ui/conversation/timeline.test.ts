import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  dayLabel,
  GROUP_WINDOW_MS,
  type TimelineRow,
} from '../../../../web/ui/conversation/list/timeline.ts';
import { messageView } from './fake-client.ts';

const MIN = 60_000;
// Days in UTC, so the test does not depend on the machine's time zone.
const utcDay = (ts: number) => Math.floor(ts / 86_400_000) * 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 9, 0);

const shape = (rows: TimelineRow[]) =>
  rows.map((r) => (r.kind !== 'message' ? r.kind : r.groupStart ? 'start' : 'cont'));

describe('message grouping and day separators', () => {
  it('groups consecutive messages by one author within five minutes', () => {
    const rows = buildTimeline(
      [
        messageView({ author: 'bob', ts: T0 }),
        messageView({ author: 'bob', ts: T0 + MIN }),
        messageView({ author: 'bob', ts: T0 + MIN + GROUP_WINDOW_MS }),
        // Measured from the previous message, not the group's first.
        messageView({ author: 'bob', ts: T0 + MIN + 2 * GROUP_WINDOW_MS + 1 }),
      ],
      utcDay,
    );
    expect(shape(rows)).toEqual(['day', 'start', 'cont', 'cont', 'start']);
  });

  it('starts a new group when the author changes or a message replies', () => {
    const first = messageView({ author: 'bob', ts: T0 });
    const rows = buildTimeline(
      [
        first,
        messageView({ author: 'carol', ts: T0 + MIN }),
        messageView({ author: 'carol', ts: T0 + 2 * MIN, replyTo: first.id }),
        messageView({ author: 'carol', ts: T0 + 3 * MIN }),
      ],
      utcDay,
    );
    expect(shape(rows)).toEqual(['day', 'start', 'start', 'start', 'cont']);
  });

  it('puts a day separator where the calendar day changes, and regroups after it', () => {
    const late = Date.UTC(2026, 10, 20, 23, 58);
    const rows = buildTimeline(
      [
        messageView({ author: 'bob', ts: late }),
        messageView({ author: 'bob', ts: late + 3 * MIN }),
      ],
      utcDay,
    );
    expect(shape(rows)).toEqual(['day', 'start', 'day', 'start']);
    const days = rows.filter((r) => r.kind === 'day');
    expect(new Set(days.map((d) => d.key)).size).toBe(2);
  });

  it('marks where the messages unread on opening begin, and starts a group there', () => {
    const a = messageView({ author: 'bob', ts: T0 });
    const b = messageView({ author: 'bob', ts: T0 + MIN });
    const rows = buildTimeline([a, b], utcDay, b.id);
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'unread', 'message']);
    expect(shape(rows).at(-1)).toBe('start');
  });

  it('keys message rows by message id, so rows keep their identity when older ones arrive', () => {
    const a = messageView({ author: 'bob', ts: T0 });
    const b = messageView({ author: 'dave', ts: T0 + MIN });
    const keys = buildTimeline([a, b], utcDay).map((r) => r.key);
    expect(keys).toContain(a.id);
    expect(keys).toContain(b.id);
  });

  it('labels today and yesterday in words, older days as dates in the reader’s language', () => {
    const now = new Date(2026, 10, 20, 15, 0).getTime();
    const words = { today: 'Today', yesterday: 'Yesterday' };
    const midnight = (y: number, m: number, d: number) => new Date(y, m, d).getTime();
    expect(dayLabel(midnight(2026, 10, 20), now, 'en', words)).toBe('Today');
    expect(dayLabel(midnight(2026, 10, 19), now, 'en', words)).toBe('Yesterday');
    expect(dayLabel(midnight(2026, 10, 2), now, 'en', words)).toBe('Monday, November 2');
    expect(dayLabel(midnight(2026, 10, 2), now, 'de', words)).toBe('Montag, 2. November');
    expect(dayLabel(midnight(2025, 0, 2), now, 'es', words)).toContain('2025');
  });
});
