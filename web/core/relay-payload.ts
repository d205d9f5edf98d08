/**
 * What travels inside a relay envelope's opaque payload (the relay sees only
 * its length). One kind byte, then framed fields:
 *
 *   link        context, attempt, frame
 *                                 a link frame on the relay path (handshake or sealed traffic);
 *                                 `attempt` names one link instance, so a peer that restarts
 *                                 its side replaces the old link instead of corrupting it
 *   room-event  roomId, message   a sender-key message (already encrypted and signed) for
 *                                 devices with no open link, and for mailboxes
 *   sealed      box               sealed mail to an offline device (DMs, key distribution)
 *   membership  roomId, entries   the newest signed membership-chain entries of a room
 *                                 (room-chain-codec.ts), fanned out and kept for offline
 *                                 members; public to the relay, unforgeable by it
 *
 * The context (room or DM id) lets one pair of devices keep a separate link
 * per conversation over the same relay connection.
 */
import { frame, fromUtf8, unframe } from '../../shared/crypto/encoding.ts';

export const RELAY_PAYLOAD_KIND = { link: 1, roomEvent: 2, sealed: 3, membership: 4 } as const;

export type RelayPayload =
  | { kind: 'link'; context: string; attempt: string; frame: Uint8Array }
  | { kind: 'room-event'; roomId: string; message: Uint8Array }
  | { kind: 'sealed'; box: Uint8Array }
  | { kind: 'membership'; roomId: string; entries: Uint8Array };

const MAX_CONTEXT_BYTES = 64;

export function encodeRelayPayload(p: RelayPayload): Uint8Array {
  const body =
    p.kind === 'link'
      ? frame(p.context, p.attempt, p.frame)
      : p.kind === 'room-event'
        ? frame(p.roomId, p.message)
        : p.kind === 'membership'
          ? frame(p.roomId, p.entries)
          : frame(p.box);
  const out = new Uint8Array(1 + body.length);
  out[0] = RELAY_PAYLOAD_KIND[p.kind === 'room-event' ? 'roomEvent' : p.kind];
  out.set(body, 1);
  return out;
}

/** Null for anything malformed: the sender is another client, not trusted. */
export function decodeRelayPayload(bytes: Uint8Array): RelayPayload | null {
  if (bytes.length < 1) return null;
  let fields: Uint8Array[];
  try {
    fields = unframe(bytes.subarray(1));
  } catch {
    return null;
  }
  const text = (b: Uint8Array | undefined): string | null => {
    if (!b || b.length === 0 || b.length > MAX_CONTEXT_BYTES) return null;
    try {
      return fromUtf8(b);
    } catch {
      return null;
    }
  };
  switch (bytes[0]) {
    case RELAY_PAYLOAD_KIND.link: {
      const context = text(fields[0]);
      const attempt = text(fields[1]);
      return context && attempt && fields.length === 3
        ? { kind: 'link', context, attempt, frame: fields[2]! }
        : null;
    }
    case RELAY_PAYLOAD_KIND.roomEvent: {
      const roomId = text(fields[0]);
      return roomId && fields.length === 2
        ? { kind: 'room-event', roomId, message: fields[1]! }
        : null;
    }
    case RELAY_PAYLOAD_KIND.membership: {
      const roomId = text(fields[0]);
      return roomId && fields.length === 2
        ? { kind: 'membership', roomId, entries: fields[1]! }
        : null;
    }
    case RELAY_PAYLOAD_KIND.sealed:
      return fields.length === 1 ? { kind: 'sealed', box: fields[0]! } : null;
    default:
      return null;
  }
}
