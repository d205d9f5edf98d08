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
import { summary, timeEach } from './stats.ts';

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
  try {
    const own = Array.from({ length: messages }, () => {
      const e = event(me);
      return { signed: signEvent(e, me.dk.privateKey), event: e };
    });
    const theirs = Array.from({ length: messages }, () => {
      const e = event(other);
      return { signed: signEvent(e, other.dk.privateKey), event: e };
    });
    // Signed beforehand: the figures are the stores alone.
    const sent = summary(
      await timeEach(messages, async (i) => {
        const item = own[i] as (typeof own)[number];
        const entry = { convId: CONV, ...item, awaiting: ['d1'], attempts: 0, nextAttemptAt: 0 };
        await history.addOwnEvent(CONV, item, entry);
      }),
    );
    const received = summary(
      await timeEach(messages, (i) =>
        history.addEvents(CONV, [theirs[i] as (typeof theirs)[number]]),
      ),
    );
    return {
      sendStoreP50Ms: sent.p50,
      sendStoreP99Ms: sent.p99,
      receiveStoreP50Ms: received.p50,
      receiveStoreP99Ms: received.p99,
      messages,
    };
  } finally {
    await history.wipe();
  }
}
