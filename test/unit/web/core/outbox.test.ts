import { describe, expect, it } from 'vitest';
import type { ChatEvent } from '../../../../shared/events/event-schema.ts';
import { memoryOutboxStorage, Outbox } from '../../../../web/core/outbox.ts';

let n = 0;
function event(lamport = ++n): ChatEvent {
  return {
    v: 1,
    id: `event${String(++n).padStart(17, '0')}`,
    conv: 'room-1',
    authorIk: 'A'.repeat(43),
    authorDevice: 'D'.repeat(22),
    lamport,
    ts: 1_700_000_000_000 + n,
    body: { type: 'text', text: 'hi' },
  };
}
const signed = { bytes: new Uint8Array([1]), sig: new Uint8Array(64) };

describe('outbox', () => {
  it('what was pending before a reload is still pending after it', async () => {
    const storage = memoryOutboxStorage();
    const first = await Outbox.open(storage);
    const e = event();
    await first.add('room-1', signed, e, ['dev-b', 'dev-c']);
    const second = await Outbox.open(storage);
    expect(second.pendingFor('room-1', 'dev-b').map((x) => x.event.id)).toEqual([e.id]);
  });

  it('an event leaves the outbox once every recipient device has acked it', async () => {
    const outbox = await Outbox.open(memoryOutboxStorage());
    const e = event();
    const delivered: string[] = [];
    const complete: string[] = [];
    outbox.events.on('delivered', (_c, id, d) => delivered.push(`${id}@${d}`));
    outbox.events.on('complete', (_c, id) => complete.push(id));
    await outbox.add('room-1', signed, e, ['dev-b', 'dev-c']);
    await outbox.acked('dev-b', [e.id]);
    expect(complete).toEqual([]);
    expect(outbox.pendingFor('room-1', 'dev-c')).toHaveLength(1);
    await outbox.acked('dev-c', [e.id]);
    expect(delivered).toEqual([`${e.id}@dev-b`, `${e.id}@dev-c`]);
    expect(complete).toEqual([e.id]);
    expect(outbox.pending()).toEqual([]);
  });

  it('acks from devices that were not recipients, or for unknown ids, change nothing', async () => {
    const outbox = await Outbox.open(memoryOutboxStorage());
    const e = event();
    await outbox.add('room-1', signed, e, ['dev-b']);
    await outbox.acked('dev-mallory', [e.id]);
    await outbox.acked('dev-b', ['unknown-id-0000000000']);
    expect(outbox.pendingFor('room-1', 'dev-b')).toHaveLength(1);
  });

  it('a removed device stops being waited for, without being counted as delivered', async () => {
    const outbox = await Outbox.open(memoryOutboxStorage());
    const e = event();
    const delivered: string[] = [];
    outbox.events.on('delivered', (_c, _id, d) => delivered.push(d));
    await outbox.add('room-1', signed, e, ['dev-b', 'dev-kicked']);
    await outbox.forget('dev-kicked');
    expect(delivered).toEqual([]);
    await outbox.acked('dev-b', [e.id]);
    expect(outbox.pending()).toEqual([]);
  });

  it('resends go out in the order the events were written', async () => {
    const outbox = await Outbox.open(memoryOutboxStorage());
    const later = event(10);
    const earlier = event(5);
    await outbox.add('room-1', signed, later, ['dev-b']);
    await outbox.add('room-1', signed, earlier, ['dev-b']);
    expect(outbox.pendingFor('room-1', 'dev-b').map((x) => x.event.lamport)).toEqual([5, 10]);
  });
});
