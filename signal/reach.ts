/**
 * Who may signal or relay to whom. Two users may reach each other when they
 * share a room, or when either opened a DM with the other and neither has
 * blocked the other. A user always reaches their own devices.
 *
 * DM rule, chosen for the first-contact case: opening a DM is one-sided
 * (`dm.open` by username), because the other side may be offline and the
 * first sealed message has to land in its mailbox; the other side's answer
 * to unwanted contact is `dm.block`, which wins over an open DM (but not
 * over a shared room, where the mesh needs signalling between all members).
 */
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';

export function canReach(ctx: RelayContext, from: Connection, toUserId: string): boolean {
  const fromUserId = from.userId!;
  if (fromUserId === toUserId) return true;
  const { presence, store } = ctx;
  if (from.reachEpoch !== presence.epoch || !from.reach) {
    from.reach = new Map();
    from.reachEpoch = presence.epoch;
  }
  const cached = from.reach.get(toUserId);
  if (cached !== undefined) return cached;
  const allowed =
    store.sharesRoom(fromUserId, toUserId) ||
    (store.isDmOpen(fromUserId, toUserId) &&
      !store.isBlocked(toUserId, fromUserId) &&
      !store.isBlocked(fromUserId, toUserId));
  from.reach.set(toUserId, allowed);
  return allowed;
}

/** The user owning a device: from the live socket, else the store. */
export function ownerOfDevice(ctx: RelayContext, deviceId: string): string | null {
  return (
    ctx.presence.devices.get(deviceId)?.userId ?? ctx.store.getDevice(deviceId)?.userId ?? null
  );
}
