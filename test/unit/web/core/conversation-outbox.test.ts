import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { newAtRestKeys } from '../../../../shared/crypto/at-rest.ts';
import { deviceIdOf, newDeviceKey } from '../../../../shared/crypto/keys.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../../../shared/events/event-schema.ts';
import { ACK_BATCH } from '../../../../web/core/ack-batch.ts';
import { Conversation, type ConversationTransport } from '../../../../web/core/conversation.ts';
import { HistoryStore } from '../../../../web/core/history/history-store.ts';
import { Outbox } from '../../../../web/core/outbox.ts';
import { chatEvent, freshDbName, incoming } from './history/fixtures.ts';

const CONV = 'room:general';
const open: HistoryStore[] = [];

beforeAll(async () => {
  await loadSodium();
});

afterEach(async () => {
  for (const store of open.splice(0)) await store.wipe();
});

async function setup() {
  const history = await HistoryStore.open({ dbName: freshDbName(), ...newAtRestKeys() });
  open.push(history);
  const outbox = await Outbox.open(history);
  const dk = newDeviceKey();
  const seenAtSend: { outbox: number; stored: boolean }[] = [];
  const transport: ConversationTransport = {
    async send(_signed, event) {
      seenAtSend.push({
        outbox: (await history.listOutbox(CONV)).length,
        stored: (await history.message(CONV, event.id)) !== undefined,
      });
      return ['dev-b'];
    },
    resendTo: () => true,
    ack: () => undefined,
    typing: () => undefined,
    recipients: () => ['dev-b', 'dev-c'],
  };
  const conversation = new Conversation({
    convId: CONV,
    kind: 'room',
    history,
    outbox,
    transport,
    me: { ik: dk.publicKey, deviceId: deviceIdOf(dk.publicKey), dk },
  });
  return { history, outbox, conversation, seenAtSend };
}

/** `count` messages from carol with the same stamps, received and stored. */
async function receiveTied(conversation: Conversation, count: number): Promise<ChatEvent[]> {
  const tied = Array.from({ length: count }, (_, i) =>
    chatEvent(
      CONV,
      'carol',
      { type: 'text', text: `t${i}` },
      { lamport: 5, ts: 1_700_000_000_000 },
    ),
  );
  for (const e of tied) {
    const item = incoming(e);
    await conversation.receive(item.signed, item.event);
  }
  return tied;
}

describe('conversation and outbox', () => {
  it('a message is stored with its outbox entry before it goes out, and survives a reload', async () => {
    const { history, conversation, seenAtSend } = await setup();
    const event = await conversation.write({ type: 'text', text: 'hello' });
    expect(seenAtSend).toEqual([{ outbox: 1, stored: true }]);
    expect(conversation.messages.value.map((m) => m.local?.state)).toEqual(['sent']);
    const reloaded = await Outbox.open(history);
    expect(reloaded.pendingFor(CONV, 'dev-c').map((e) => e.event.id)).toEqual([event.id]);
  });

  it("'sent' shows at once and is stored with the next batch, without a write of its own", async () => {
    const { history, conversation } = await setup();
    const event = await conversation.write({ type: 'text', text: 'hello' });
    expect(conversation.messages.value[0]?.local?.state).toBe('sent');
    expect((await history.message(CONV, event.id))?.local?.state).toBe('pending');
    await vi.waitFor(async () =>
      expect((await history.message(CONV, event.id))?.local).toEqual({
        state: 'sent',
        ackedBy: [],
      }),
    );
  });

  it("a reaction stored before the batch does not take 'sent' back to pending", async () => {
    const { history, conversation } = await setup();
    const event = await conversation.write({ type: 'text', text: 'hello' });
    await conversation.write({ type: 'reaction', target: event.id, emoji: '👍', on: true });
    const shown = conversation.messages.value[0];
    expect(shown?.reactions).toHaveLength(1);
    expect(shown?.local?.state).toBe('sent');
    await vi.waitFor(async () =>
      expect((await history.message(CONV, event.id))?.local?.state).toBe('sent'),
    );
  });

  it('acks show at once and are stored; the entry leaves once every device has it', async () => {
    const { history, outbox, conversation } = await setup();
    const event = await conversation.write({ type: 'text', text: 'hello' });
    const first = conversation.acked('dev-b', [event.id]);
    expect(conversation.messages.value[0]?.local?.ackedBy).toEqual(['dev-b']);
    expect(outbox.pendingFor(CONV, 'dev-b')).toEqual([]);
    await first;
    expect((await history.listOutbox(CONV)).map((e) => e.awaiting)).toEqual([['dev-c']]);
    await conversation.acked('dev-c', [event.id]);
    expect(await history.listOutbox()).toEqual([]);
    expect((await history.message(CONV, event.id))?.local).toEqual({
      state: 'sent',
      ackedBy: ['dev-b', 'dev-c'],
    });
    expect(conversation.messages.value[0]?.local?.ackedBy).toEqual(['dev-b', 'dev-c']);
  });

  it('acks are written together flushMs after the first, and a later one starts the next batch', async () => {
    // Only the batch's timers are faked; fake-indexeddb runs on setImmediate.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { history, conversation } = await setup();
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push((await conversation.write({ type: 'text', text: `m${i}` })).id);
      const storedAcks = async (id: string) => (await history.message(CONV, id))?.local?.ackedBy;
      const stepMs = Math.floor(ACK_BATCH.flushMs / 5);
      const acked: Promise<void>[] = [];
      for (let i = 0; i < 4; i++) {
        acked.push(conversation.acked('dev-b', [ids[i] ?? '']));
        vi.advanceTimersByTime(stepMs);
      }
      // Shown at once, not yet written.
      expect(conversation.messages.value[3]?.local?.ackedBy).toEqual(['dev-b']);
      expect(await storedAcks(ids[0] ?? '')).toEqual([]);
      vi.advanceTimersByTime(ACK_BATCH.flushMs - 4 * stepMs);
      await Promise.all(acked);
      for (const id of ids.slice(0, 4)) expect(await storedAcks(id)).toEqual(['dev-b']);
      const next = conversation.acked('dev-b', [ids[4] ?? '']);
      expect(await storedAcks(ids[4] ?? '')).toEqual([]);
      vi.advanceTimersByTime(ACK_BATCH.flushMs);
      await next;
      expect(await storedAcks(ids[4] ?? '')).toEqual(['dev-b']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('closing writes the waiting batch at once', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { history, conversation } = await setup();
      const event = await conversation.write({ type: 'text', text: 'hello' });
      const acked = conversation.acked('dev-b', [event.id]);
      conversation.flush();
      await acked;
      expect((await history.message(CONV, event.id))?.local).toEqual({
        state: 'sent',
        ackedBy: ['dev-b'],
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it("a message whose 'sent' was never written is stored as sent by the first ack", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const { history, conversation } = await setup();
      const event = await conversation.write({ type: 'text', text: 'hello' });
      // The page went away before the batch: on disk it is still pending.
      expect((await history.message(CONV, event.id))?.local?.state).toBe('pending');
      await history.recordAcks(
        CONV,
        [{ deviceId: 'dev-b', ids: [event.id] }],
        new Map([[event.id, event]]),
        { put: [], remove: [] },
      );
      expect((await history.message(CONV, event.id))?.local).toEqual({
        state: 'sent',
        ackedBy: ['dev-b'],
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('messages with equal stamps are in id order after a reload, as live: deletes show, nothing doubles', async () => {
    const { conversation } = await setup();
    // The store orders equal stamps by a keyed hash of the id, not by the id.
    const tied = await receiveTied(conversation, 8);
    await conversation.load();
    for (const e of tied) {
      const item = incoming(
        chatEvent(CONV, 'carol', { type: 'delete', target: e.id }, { lamport: 6 }),
      );
      await conversation.receive(item.signed, item.event);
    }
    const shown = conversation.messages.value;
    // One order on every device: the store's (a per-device keyed hash) is not it.
    expect(shown.map((m) => m.id)).toEqual(tied.map((e) => e.id).sort());
    expect(shown.filter((m) => m.deleted === null)).toEqual([]);
  });

  it('paging back through a run of equal stamps loads each message once, in id order', async () => {
    const { conversation } = await setup();
    const tied = await receiveTied(conversation, 8);
    await conversation.load(3);
    while (await conversation.loadOlder(3));
    expect(conversation.messages.value.map((m) => m.id)).toEqual(tied.map((e) => e.id).sort());
  });

  it('a device forgotten while an ack waits to be written is not brought back', async () => {
    const { history, outbox, conversation } = await setup();
    const event = await conversation.write({ type: 'text', text: 'hello' });
    const acked = conversation.acked('dev-b', [event.id]);
    await outbox.forget('dev-c');
    await acked;
    expect(await history.listOutbox()).toEqual([]);
    expect((await Outbox.open(history)).pending()).toEqual([]);
  });
});
