/**
 * What the engine's own history writes cost per message, in the page that
 * runs the engine, beside the bare floor (idb-floor.ts): the sender's
 * `addOwnEvent` (event, view and outbox entry sealed and stored, committed
 * without reading) and the receiver's `addEvents` (sealed, stored, waiting
 * edits looked up), on a fresh history of the app's shape, with real
 * signed 100 B messages. The difference to the floor is the engine's work
 * around IndexedDB: sealing, blind indexes, views, request bookkeeping.
 */
import { newAtRestKeys } from '../../shared/crypto/at-rest.ts';
import { toB64 } from '../../shared/crypto/encoding.ts';
import { deviceIdOf } from '../../shared/crypto/keys.ts';
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import { newEventId, signEvent } from '../../shared/events/signed-event.ts';
import { testDevice } from '../../test/support/identities.ts';
import { HistoryStore } from '../../web/core/history/history-store.ts';

export interface StoreCost {
  sendStoreP50Ms: number;
  sendStoreP99Ms: number;
  receiveStoreP50Ms: number;
  receiveStoreP99Ms: number;
  messages: number;
}

const CONV = 'room:bench-store-cost';

export async function measureStoreCost(messages: number): Promise<StoreCost> {
  const history = await HistoryStore.open({
    dbName: `parley-bench-store-cost-${Date.now()}`,
    ...newAtRestKeys(),
  });
  const me = testDevice();
  const other = testDevice();
  let lamport = 0;
  const event = (author: typeof me): ChatEvent => ({
    v: 1,
    id: newEventId(),
    conv: CONV,
    authorIk: toB64(author.identity.publicKey),
    authorDevice: deviceIdOf(author.dk.publicKey),
    lamport: ++lamport,
    ts: Date.now(),
    body: { type: 'text', text: `ping${'x'.repeat(96)}` },
  });
  // Signed beforehand: the figure is the store alone.
  const timed = async (one: (i: number) => Promise<unknown>) => {
    const samples: number[] = [];
    for (let i = 0; i < messages; i++) {
      const t0 = performance.now();
      await one(i);
      samples.push(performance.now() - t0);
    }
    samples.sort((x, y) => x - y);
    const at = (q: number) =>
      Math.round(
        (samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0) * 100,
      ) / 100;
    return [at(0.5), at(0.99)] as const;
  };
  try {
    const own = Array.from({ length: messages }, () => {
      const e = event(me);
      return { signed: signEvent(e, me.dk.privateKey), event: e };
    });
    const theirs = Array.from({ length: messages }, () => {
      const e = event(other);
      return { signed: signEvent(e, other.dk.privateKey), event: e };
    });
    const [sendP50, sendP99] = await timed(async (i) => {
      const item = own[i] as (typeof own)[number];
      const entry = { convId: CONV, ...item, awaiting: ['d1'], attempts: 0, nextAttemptAt: 0 };
      await history.addOwnEvent(CONV, item, entry);
    });
    const [receiveP50, receiveP99] = await timed(async (i) => {
      await history.addEvents(CONV, [theirs[i] as (typeof theirs)[number]]);
    });
    return {
      sendStoreP50Ms: sendP50,
      sendStoreP99Ms: sendP99,
      receiveStoreP50Ms: receiveP50,
      receiveStoreP99Ms: receiveP99,
      messages,
    };
  } finally {
    await history.wipe();
  }
}
