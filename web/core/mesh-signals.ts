/**
 * The signalling a mesh sends through the relay, inside `signal.data` (which
 * the relay treats as opaque): which conversation and link attempt a WebRTC
 * signal belongs to, plus two small control words. The relay forwards it
 * only between co-members, but does not vouch for it: parse defensively.
 */

/** Signal data on the wire: which conversation and link attempt it belongs to. */
export type SignalEnvelope = { c: string; a: string; s: unknown };

/**
 * Sent instead of an answer by a device without WebRTC, so the initiator
 * goes to the relay path at once instead of waiting out its connect timeout.
 */
export const DECLINE = 'decline';

/**
 * Sent instead of an answer by a device that already holds (or is opening)
 * as many data channels as the mesh cap allows: the initiator uses the relay
 * path for now, and a later upgrade may try again. Without it, both ends of
 * a pair judged "direct" from their own, differing view of presence (a room
 * filling up while links open) and a device ended up past the cap.
 */
export const FULL = 'full';

/**
 * "I am online for this conversation." DMs have no relay presence (that is
 * per room), so a device announces itself to its DM partner's devices; the
 * DM layer decides whether the sender belongs (mesh event `here`).
 */
export const HERE = 'here';

const MAX_CONTEXT_CHARS = 64;
const MAX_ATTEMPT_CHARS = 16;

export function signalData(envelope: SignalEnvelope): string {
  return JSON.stringify(envelope);
}

/** Reads the relay's opaque signal data; null for anything malformed. */
export function parseSignalData(data: string): SignalEnvelope | null {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value !== 'object' || value === null) return null;
    const { c, a, s } = value as Record<string, unknown>;
    if (
      typeof c !== 'string' ||
      typeof a !== 'string' ||
      c.length > MAX_CONTEXT_CHARS ||
      a.length > MAX_ATTEMPT_CHARS
    )
      return null;
    return { c, a, s };
  } catch {
    return null;
  }
}
