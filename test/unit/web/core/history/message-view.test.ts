import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventBody } from '../../../../../shared/events/event-schema.ts';
import {
  applyEvent,
  conversationViews,
  newConversationState,
  reduceConversation,
} from '../../../../../web/core/history/conversation-reducer.ts';
import {
  applyLocal,
  NO_MODERATORS,
  textView,
  type ViewRules,
} from '../../../../../web/core/history/message-view.ts';
import { conversationArb } from './arbitraries.ts';
import { chatEvent, deviceOf, ikOf } from './fixtures.ts';

const CONV = 'room:general';
const text = (t: string): EventBody => ({ type: 'text', text: t });
const modRules: ViewRules = { isModerator: (ik) => ik === ikOf('mod') };

describe('message views', () => {
  it('edits by someone other than the author are ignored', () => {
    const msg = chatEvent(CONV, 'alice', text('hello'));
    const forged = chatEvent(CONV, 'mallory', { type: 'edit', target: msg.id, text: 'pwned' });
    const real = chatEvent(CONV, 'alice', { type: 'edit', target: msg.id, text: 'hello, all' });
    const [view] = reduceConversation(CONV, [msg, forged], NO_MODERATORS);
    expect(view?.text).toBe('hello');
    expect(view?.edited).toBe(false);
    const [after] = reduceConversation(CONV, [msg, forged, real], NO_MODERATORS);
    expect(after?.text).toBe('hello, all');
    expect(after?.edited).toBe(true);
    expect(after?.editedAt).toBe(real.ts);
  });

  it('the latest edit wins whichever arrives last', () => {
    const msg = chatEvent(CONV, 'alice', text('v1'));
    const e2 = chatEvent(CONV, 'alice', { type: 'edit', target: msg.id, text: 'v2' });
    const e3 = chatEvent(CONV, 'alice', { type: 'edit', target: msg.id, text: 'v3' });
    expect(reduceConversation(CONV, [msg, e3, e2], NO_MODERATORS)[0]?.text).toBe('v3');
    expect(reduceConversation(CONV, [e2, msg, e3], NO_MODERATORS)[0]?.text).toBe('v3');
  });

  it('a reaction that arrives before its message is applied when the message arrives', () => {
    const msg = chatEvent(CONV, 'alice', text('lunch?'));
    const reaction = chatEvent(CONV, 'bob', {
      type: 'reaction',
      target: msg.id,
      emoji: '👍',
      on: true,
    });
    const state = newConversationState(CONV);
    expect(applyEvent(state, reaction, NO_MODERATORS)).toEqual([]);
    expect(conversationViews(state)).toEqual([]);
    const [view] = applyEvent(state, msg, NO_MODERATORS);
    expect(view?.reactions).toEqual([{ emoji: '👍', reactorIks: [ikOf('bob')] }]);
    expect(state.pending.size).toBe(0);
  });

  it('a withdrawn reaction disappears, and a re-added one comes back', () => {
    const msg = chatEvent(CONV, 'alice', text('hi'));
    const on = chatEvent(CONV, 'bob', { type: 'reaction', target: msg.id, emoji: '🎉', on: true });
    const off = chatEvent(CONV, 'bob', {
      type: 'reaction',
      target: msg.id,
      emoji: '🎉',
      on: false,
    });
    const again = chatEvent(CONV, 'bob', {
      type: 'reaction',
      target: msg.id,
      emoji: '🎉',
      on: true,
    });
    expect(reduceConversation(CONV, [msg, off, on], NO_MODERATORS)[0]?.reactions).toEqual([]);
    expect(reduceConversation(CONV, [again, msg, off, on], NO_MODERATORS)[0]?.reactions).toEqual([
      { emoji: '🎉', reactorIks: [ikOf('bob')] },
    ]);
  });

  it('only the author or a moderator can delete, and a delete is final', () => {
    const msg = chatEvent(CONV, 'alice', text('oops'));
    const byBob = chatEvent(CONV, 'bob', { type: 'delete', target: msg.id });
    const byMod = chatEvent(CONV, 'mod', { type: 'delete', target: msg.id });
    const lateEdit = chatEvent(CONV, 'alice', { type: 'edit', target: msg.id, text: 'back' });
    expect(reduceConversation(CONV, [msg, byBob], modRules)[0]?.deleted).toBeNull();
    expect(reduceConversation(CONV, [msg, byMod], NO_MODERATORS)[0]?.deleted).toBeNull();
    const [view] = reduceConversation(CONV, [msg, byMod, lateEdit], modRules);
    expect(view?.deleted).toEqual({ byIk: ikOf('mod'), at: byMod.ts });
    expect(view?.text).toBe('');
  });

  it('a read receipt implies delivered and is never downgraded', () => {
    const msg = chatEvent(CONV, 'alice', text('seen?'));
    const read = chatEvent(CONV, 'bob', { type: 'receipt', kind: 'read', targets: [msg.id] });
    const delivered = chatEvent(CONV, 'bob', {
      type: 'receipt',
      kind: 'delivered',
      targets: [msg.id],
    });
    const [view] = reduceConversation(CONV, [msg, read, delivered], NO_MODERATORS);
    expect(view?.receipts).toEqual({ [deviceOf('bob')]: 'read' });
  });

  it('applying the same event twice changes nothing', () => {
    const msg = chatEvent(CONV, 'alice', text('once'));
    const r = chatEvent(CONV, 'bob', { type: 'reaction', target: msg.id, emoji: 'x', on: true });
    const state = newConversationState(CONV);
    applyEvent(state, msg, NO_MODERATORS);
    applyEvent(state, r, NO_MODERATORS);
    const before = structuredClone(conversationViews(state));
    expect(applyEvent(state, r, NO_MODERATORS)).toEqual([]);
    expect(applyEvent(state, msg, NO_MODERATORS)).toEqual([]);
    expect(conversationViews(state)).toEqual(before);
  });

  it('our own message moves from pending to sent and counts device acks once', () => {
    const msg = chatEvent(CONV, 'alice', text('out'));
    let view = textView(msg, true);
    expect(view.local).toEqual({ state: 'pending', ackedBy: [] });
    view = applyLocal(view, { kind: 'state', state: 'sent' });
    view = applyLocal(view, { kind: 'acked', device: deviceOf('bob') });
    const same = applyLocal(view, { kind: 'acked', device: deviceOf('bob') });
    expect(same).toBe(view);
    expect(view.local).toEqual({ state: 'sent', ackedBy: [deviceOf('bob')] });
  });

  it('any arrival order yields the same conversation', () => {
    fc.assert(
      fc.property(conversationArb(), ({ events, arrivals }) => {
        const expected = reduceConversation(CONV, events, modRules);
        for (const arrival of arrivals) {
          expect(reduceConversation(CONV, arrival, modRules)).toEqual(expected);
        }
      }),
      { numRuns: 500 },
    );
  });
});
