/**
 * The trust store (web/core/trust.ts) as something components can read
 * reactively. The store speaks events, not signals; one version signal per
 * store, bumped on every `change`, lets a component or `computed` that reads
 * a pin through here re-run when any pin changes.
 */
import { type ReadonlySignal, type Signal, signal } from '@preact/signals';
import type { ParleyClient } from '../../core/client.ts';
import type { PinRecord, TrustStore } from '../../core/trust.ts';

const versions = new WeakMap<TrustStore, Signal<number>>();

function versionOf(trust: TrustStore): ReadonlySignal<number> {
  let version = versions.get(trust);
  if (!version) {
    const created = signal(0);
    // Lives as long as the store: the subscription is never removed on purpose.
    trust.events.on('change', () => {
      created.value++;
    });
    versions.set(trust, created);
    version = created;
  }
  return version;
}

/** The pin for a user, tracked: readers re-run when any pin changes. */
export function pinOf(client: ParleyClient, userId: string): PinRecord | undefined {
  void versionOf(client.trust).value;
  return client.trust.get(userId);
}

export interface KeyChange {
  userId: string;
  username: string;
}

/**
 * The people in a conversation whose identity key changed and who wait for
 * a decision: room members from the members signal, a DM's partner from
 * its pin. Reads signals only, so it can sit in a render or `computed`.
 */
export function keyChangesIn(client: ParleyClient, convId: string): KeyChange[] {
  const room = client.room(convId);
  if (room) {
    return room.members.value
      .filter(
        (m) => !m.isMe && (m.trust === 'changed' || pinOf(client, m.userId)?.state === 'changed'),
      )
      .map((m) => ({ userId: m.userId, username: m.username }));
  }
  const dm = client.dm(convId);
  if (dm) {
    const pin = pinOf(client, dm.partner.userId);
    return pin?.state === 'changed' ? [{ userId: pin.userId, username: dm.partner.username }] : [];
  }
  return [];
}
