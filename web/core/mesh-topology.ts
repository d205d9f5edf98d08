/**
 * Which pairs of devices in a conversation get a direct (WebRTC) link.
 * Up to `cap` other devices: all of them. Beyond that, place the online
 * device ids on a ring in sorted order and link each device to its cap/2
 * neighbours on either side. The rule is symmetric (a is direct with b
 * exactly when b is direct with a), so both sides reach the same answer from
 * the same presence, and every device holds at most `cap` direct links; the
 * rest of the room is reached through the relay.
 */
export const DEFAULT_MESH_CAP = 8;

export function isDirectPair(
  me: string,
  other: string,
  onlineDeviceIds: readonly string[],
  cap: number = DEFAULT_MESH_CAP,
): boolean {
  if (me === other) return false;
  const ring = [...new Set([...onlineDeviceIds, me, other])].sort();
  if (ring.length - 1 <= cap) return true;
  const a = ring.indexOf(me);
  const b = ring.indexOf(other);
  const gap = Math.abs(a - b);
  const distance = Math.min(gap, ring.length - gap);
  return distance <= Math.floor(cap / 2);
}

/** The lower device id starts both the WebRTC offer and the link handshake (no glare). */
export function initiates(me: string, other: string): boolean {
  return me < other;
}
