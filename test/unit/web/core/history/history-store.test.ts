import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newAtRestKeys } from '../../../../../shared/crypto/at-rest.ts';
import { toB64 } from '../../../../../shared/crypto/encoding.ts';
import { deviceIdOf, identityFromSeed, newDeviceKey } from '../../../../../shared/crypto/keys.ts';
import { loadSodium, sodium } from '../../../../../shared/crypto/sodium.ts';
import type { ChatEvent, EventBody } from '../../../../../shared/events/event-schema.ts';
import { compareEvents, orderKey } from '../../../../../shared/events/ordering.ts';
import { signEvent, verifyEvent } from '../../../../../shared/events/signed-event.ts';
import { reduceConversation } from '../../../../../web/core/history/conversation-reducer.ts';
import { HistoryError } from '../../../../../web/core/history/history-error.ts';
import { HistoryStore } from '../../../../../web/core/history/history-store.ts';
import type { MessageView, ViewRules } from '../../../../../web/core/history/message-view.ts';
import { arrivalOrder, conversationArb } from './arbitraries.ts';
import { chatEvent, freshDbName, idOf, ikOf, incoming } from './fixtures.ts';

const CONV = 'room:general';
const OTHER = 'dm:alice.bob';
const text = (t: string): EventBody => ({ type: 'text', text: t });
const modRules: ViewRules = { isModerator: (ik) => ik === ikOf('mod') };

const open: HistoryStore[] = [];

beforeAll(async () => {
  await loadSodium();
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.wipe();
});

async function newStore(): Promise<HistoryStore> {
  const keys = newAtRestKeys();
  const store = await HistoryStore.open({ dbName: freshDbName(), ...keys });
  open.push(store);
  return store;
}

/** Distinct stamps, oldest first. */
function texts(conv: string, count: number, label = 'message'): ChatEvent[] {
  return Array.from({ length: count }, (_, i) =>
    chatEvent(conv, i % 2 ? 'alice' : 'bob', text(`${label} ${i}`), {
      id: idOf(`${label.slice(0, 4)}${i}x`),
      lamport: i + 1,
      ts: 1_700_000_000_000 + i,
    }),
  );
}

const sortByOrder = (views: MessageView[]) =>
  [...views].sort((a, b) => (a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : 0));

describe('history store', () => {
  it('the newest page comes first and older pages follow without gaps or repeats', async () => {
    const store = await newStore();
    const events = texts(CONV, 250);
    await store.addEvents(
      CONV,
      events.map((e) => incoming(e)),
    );
    await store.addEvents(
      OTHER,
      texts(OTHER, 30, 'other').map((e) => incoming(e)),
    );
    const seen: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await store.page(
        CONV,
        before === undefined ? { limit: 100 } : { before, limit: 100 },
      );
      if (page.length === 0) break;
      for (let i = 1; i < page.length; i++) {
        expect(page[i - 1]!.orderKey > page[i]!.orderKey).toBe(true);
      }
      seen.push(...page.map((m) => m.id));
      before = page.at(-1)!.orderKey;
    }
    expect(seen).toEqual(
      [...events]
        .sort(compareEvents)
        .reverse()
        .map((e) => e.id),
    );
  });

  it('browsers without getAllRecords page the same through a cursor', async () => {
    const store = await newStore();
    await store.addEvents(
      CONV,
      texts(CONV, 150).map((e) => incoming(e)),
    );
    const withRecords = await store.page(CONV, { limit: 70 });
    const olderWithRecords = await store.page(CONV, {
      before: withRecords.at(-1)!.orderKey,
      limit: 70,
    });
    const proto = IDBObjectStore.prototype as { getAllRecords?: unknown };
    const saved = Object.getOwnPropertyDescriptor(proto, 'getAllRecords');
    expect(saved).toBeDefined();
    delete proto.getAllRecords;
    try {
      expect(await store.page(CONV, { limit: 70 })).toEqual(withRecords);
      const older = await store.page(CONV, { before: withRecords.at(-1)!.orderKey, limit: 70 });
      expect(older).toEqual(olderWithRecords);
      expect((await store.find(CONV, 'message 1')).length).toBeGreaterThan(10);
    } finally {
      Object.defineProperty(proto, 'getAllRecords', saved!);
    }
  });

  it('a duplicate event is stored once', async () => {
    const store = await newStore();
    const [msg] = texts(CONV, 1);
    const reaction = chatEvent(CONV, 'bob', {
      type: 'reaction',
      target: msg!.id,
      emoji: '👍',
      on: true,
    });
    const first = await store.addEvents(CONV, [incoming(msg!), incoming(msg!), incoming(reaction)]);
    expect(first.added.map((e) => e.id)).toEqual([msg!.id, reaction.id]);
    expect(first.duplicates).toEqual([msg!.id]);
    const second = await store.addEvents(CONV, [incoming(reaction), incoming(msg!)]);
    expect(second.added).toEqual([]);
    expect(second.changed).toEqual([]);
    expect(second.duplicates).toEqual([reaction.id, msg!.id]);
    expect(await store.eventsSince(CONV, null)).toHaveLength(2);
    expect(await store.page(CONV, { limit: 10 })).toHaveLength(1);
    expect(await store.hasEvent(msg!.id)).toBe(true);
    expect(await store.hasEvent(idOf('never'))).toBe(false);
  });

  it('an edit stored before its message is applied when the message arrives in a later batch', async () => {
    const store = await newStore();
    const msg = chatEvent(CONV, 'alice', text('draft'));
    const edit = chatEvent(CONV, 'alice', { type: 'edit', target: msg.id, text: 'final' });
    const early = await store.addEvents(CONV, [incoming(edit)]);
    expect(early.changed).toEqual([]);
    const late = await store.addEvents(CONV, [incoming(msg)]);
    expect(late.changed.map((m) => m.text)).toEqual(['final']);
    expect((await store.message(CONV, msg.id))?.text).toBe('final');
  });

  it('any arrival order yields the same conversation in the store', async () => {
    await fc.assert(
      fc.asyncProperty(
        conversationArb().chain(({ events }) =>
          fc.record({
            events: fc.constant(events),
            arrival: arrivalOrder(events),
            batchSizes: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
          }),
        ),
        async ({ events, arrival, batchSizes }) => {
          const store = await newStore();
          let at = 0;
          for (let b = 0; at < arrival.length; b++) {
            const size = batchSizes[b % batchSizes.length]!;
            await store.addEvents(
              CONV,
              arrival.slice(at, at + size).map((e) => incoming(e)),
              modRules,
            );
            at += size;
          }
          const stored = await store.page(CONV, { limit: 1000 });
          expect(sortByOrder(stored)).toEqual(reduceConversation(CONV, events, modRules));
          await store.wipe();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('find returns matching messages newest first', async () => {
    const store = await newStore();
    const events = texts(CONV, 40);
    events[3] = { ...events[3]!, body: text('Lunch at noon?') };
    events[17] = { ...events[17]!, body: text('no LUNCH for me') };
    events[30] = { ...events[30]!, body: text('lunchtime!') };
    await store.addEvents(
      CONV,
      events.map((e) => incoming(e)),
    );
    await store.addEvents(OTHER, [incoming(chatEvent(OTHER, 'bob', text('lunch elsewhere')))]);
    // texts() alternates authors: message 30 is bob's.
    const deleted = chatEvent(CONV, 'bob', {
      type: 'delete',
      target: events[30]!.id,
    });
    expect((await store.find(CONV, 'lunch')).map((m) => m.id)).toEqual(
      [events[30]!, events[17]!, events[3]!].map((e) => e.id),
    );
    await store.addEvents(CONV, [incoming(deleted)]);
    const found = await store.find(CONV, 'LUNCH', { limit: 1 });
    expect(found.map((m) => m.text)).toEqual(['no LUNCH for me']);
    expect(await store.find(CONV, '')).toEqual([]);
  });

  it('backfill returns the signed events after a position, oldest first', async () => {
    const store = await newStore();
    const ik = identityFromSeed(sodium().randombytes_buf(32));
    const dk = newDeviceKey();
    const signer = { dkPk: dk.publicKey, ikB64: toB64(ik.publicKey) };
    const items = texts(CONV, 10).map((e) => {
      const event = { ...e, authorIk: signer.ikB64, authorDevice: deviceIdOf(dk.publicKey) };
      return { event, signed: signEvent(event, dk.privateKey) };
    });
    await store.addEvents(CONV, items);
    const since = await store.eventsSince(CONV, orderKey(items[6]!.event));
    expect(since.map((s) => s.event.id)).toEqual(items.slice(7).map((i) => i.event.id));
    for (const s of since) {
      const verified = verifyEvent(s.signed, signer);
      expect(verified.ok).toBe(true);
    }
    await expect(store.eventsSince(CONV, 'not-an-order-key')).rejects.toMatchObject({
      code: 'HISTORY_BAD_POSITION',
    });
  });

  it('an event filed under the wrong conversation is rejected', async () => {
    const store = await newStore();
    const msg = chatEvent(OTHER, 'alice', text('elsewhere'));
    const result = await store.addEvents(CONV, [incoming(msg)]);
    expect(result.rejected).toEqual([{ id: msg.id, code: 'HISTORY_WRONG_CONVERSATION' }]);
    expect(await store.hasEvent(msg.id)).toBe(false);
  });

  it('our own message records send state and per-device acks', async () => {
    const store = await newStore();
    const msg = chatEvent(CONV, 'alice', text('sending'));
    const added = await store.addEvents(CONV, [incoming(msg, true)]);
    expect(added.changed[0]?.local).toEqual({ state: 'pending', ackedBy: [] });
    await store.updateLocal(CONV, msg.id, { kind: 'state', state: 'sent' });
    await store.updateLocal(CONV, msg.id, { kind: 'acked', device: 'bobdevice' });
    expect((await store.message(CONV, msg.id))?.local).toEqual({
      state: 'sent',
      ackedBy: ['bobdevice'],
    });
  });

  it('our own event and its outbox entry are stored together, and acks settle both', async () => {
    const store = await newStore();
    const msg = chatEvent(CONV, 'alice', text('stored, then sent'));
    const entry = {
      convId: CONV,
      ...incoming(msg),
      awaiting: ['d1', 'd2'],
      attempts: 0,
      nextAttemptAt: 0,
    };
    const added = await store.addOwnEvent(CONV, incoming(msg), entry);
    expect(added.added.map((e) => e.id)).toEqual([msg.id]);
    expect(added.changed[0]?.local).toEqual({ state: 'pending', ackedBy: [] });
    expect(await store.listOutbox(CONV)).toEqual([entry]);
    expect((await store.message(CONV, msg.id))?.text).toBe('stored, then sent');

    await store.updateOwn(CONV, msg, { kind: 'state', state: 'sent' });
    const first = await store.recordAcks(
      CONV,
      [{ deviceId: 'd1', ids: [msg.id] }],
      new Map([[msg.id, msg]]),
      {
        put: [{ ...entry, awaiting: ['d2'] }],
        remove: [],
      },
    );
    expect(first.map((v) => v.local)).toEqual([{ state: 'sent', ackedBy: ['d1'] }]);
    expect((await store.listOutbox(CONV)).map((e) => e.awaiting)).toEqual([['d2']]);
    // An id the caller holds no stamps for is found through the index.
    const second = await store.recordAcks(CONV, [{ deviceId: 'd2', ids: [msg.id] }], new Map(), {
      put: [],
      remove: [entry],
    });
    expect(second.map((v) => v.local)).toEqual([{ state: 'sent', ackedBy: ['d1', 'd2'] }]);
    expect(await store.listOutbox()).toEqual([]);
    expect((await store.message(CONV, msg.id))?.local).toEqual({
      state: 'sent',
      ackedBy: ['d1', 'd2'],
    });
  });

  it('a message whose reaction arrived first is stored with it, in one batch or later', async () => {
    const store = await newStore();
    const msg = chatEvent(CONV, 'alice', text('react to me'));
    const reaction = chatEvent(
      CONV,
      'bob',
      { type: 'reaction', target: msg.id, emoji: '👍', on: true },
      {
        lamport: msg.lamport + 1,
      },
    );
    await store.addEvents(CONV, [incoming(reaction)]);
    const late = await store.addEvents(CONV, [incoming(msg)]);
    expect(late.changed[0]?.reactions).toEqual([{ emoji: '👍', reactorIks: [ikOf('bob')] }]);
    expect((await store.message(CONV, msg.id))?.reactions).toEqual(late.changed[0]?.reactions);
    const again = await store.addEvents(CONV, [incoming(msg)]);
    expect(again).toMatchObject({ added: [], duplicates: [msg.id], changed: [] });
    expect((await store.message(CONV, msg.id))?.reactions).toHaveLength(1);
  });

  it('conversation metadata, outbox and engine state round-trip', async () => {
    const store = await newStore();
    const meta = {
      convId: CONV,
      lastReadOrderKey: null,
      unreadCount: 3,
      preview: { eventId: idOf('p'), authorIk: ikOf('bob'), text: 'hi', ts: 5 },
      lastActivityTs: 5,
    };
    await store.putConversation(meta);
    await store.putConversation({ ...meta, convId: OTHER, lastActivityTs: 9, preview: null });
    expect(await store.getConversation(CONV)).toEqual(meta);
    expect((await store.listConversations()).map((c) => c.convId)).toEqual([OTHER, CONV]);

    const msg = chatEvent(CONV, 'alice', text('queued'));
    const entry = {
      convId: CONV,
      ...incoming(msg),
      awaiting: ['d1', 'd2'],
      attempts: 0,
      nextAttemptAt: 0,
    };
    await store.putOutbox(entry);
    expect(await store.listOutbox(CONV)).toEqual([entry]);
    expect(await store.listOutbox(OTHER)).toEqual([]);
    await store.removeOutbox(CONV, msg);
    expect(await store.listOutbox()).toEqual([]);

    await store.kvPut('pin:alice', new Uint8Array([1, 2, 3]));
    expect(await store.kvGet('pin:alice')).toEqual(new Uint8Array([1, 2, 3]));
    await store.kvDelete('pin:alice');
    expect(await store.kvGet('pin:alice')).toBeUndefined();
  });

  it('keys of the wrong size are refused before anything is stored', async () => {
    const keys = newAtRestKeys();
    await expect(
      HistoryStore.open({ dbName: freshDbName(), dek: keys.dek.slice(1), indexKey: keys.indexKey }),
    ).rejects.toMatchObject({ code: 'HISTORY_BAD_KEY' });
  });

  it('a closed store refuses work with a code', async () => {
    const store = await newStore();
    store.close();
    await expect(store.page(CONV, { limit: 1 })).rejects.toBeInstanceOf(HistoryError);
    await expect(store.hasEvent(idOf('x'))).rejects.toMatchObject({ code: 'HISTORY_CLOSED' });
  });
});
