/**
 * Relay fallback: binary envelopes forwarded without inspection. The relay
 * reads only the header, replaces it with one naming the sender this socket
 * proved, and writes the payload bytes unchanged — once per envelope, shared
 * by every recipient of a room fan-out.
 *
 * Backpressure: before writing to a recipient the relay checks its
 * `bufferedAmount`; above `maxBufferedBytes` the envelope is dropped for that
 * recipient and the sender gets `envelope.error RECIPIENT_SLOW` (it keeps the
 * message in its outbox and retries). The slow socket is not closed for being
 * slow — a phone on a bad link is not an attacker — but one that stops
 * reading altogether is terminated by the missed pong, or by the hard bound
 * in Connection. Either way relay memory per recipient stays bounded.
 */
import {
  decodeEnvelope,
  EnvelopeFlag,
  EnvelopeKind,
  encodeEnvelopeHeader,
} from '../shared/protocol/envelope.ts';
import type { ErrorCode } from '../shared/protocol/errors.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { storeMail } from './mailbox.ts';
import { canReach, ownerOfDevice } from './reach.ts';
import type { NewMailItem } from './store/store.ts';

/** Extra tokens an envelope with the store flag costs (see dispatch.ts extraCost). */
const STORE_EXTRA_COST = 9;
/**
 * A room envelope costs one extra token per this many members: the writes
 * out, not the frame in, are the work. With the default bucket (2 000/s) a
 * socket can push ~40 envelopes/s into a room of 100, ~330/s into one of 10;
 * benchmarks raise --frame-rate.
 */
const MEMBERS_PER_EXTRA_TOKEN = 2;
const MAX_SLOW_NOTICES_PER_ENVELOPE = 4;
/**
 * Headers cached per socket: one per room it sends to (and one for direct
 * envelopes). Building a header (ids → validated ASCII bytes) was ~12 % of
 * the relay's CPU forwarding 200 B envelopes into rooms of two (R1 scaling,
 * --cpu-prof); a socket sending to more rooms than this starts over.
 */
const MAX_CACHED_HEADERS = 64;
const DIRECT = '';

/** The header an envelope from `conn` to `target` (a room id, or DIRECT) goes out under. */
function outgoingHeader(conn: Connection, target: string): Uint8Array {
  const identity = conn.identity!;
  let cache = conn.envelopeHeaders;
  if (!cache || cache.identity !== identity) {
    cache = { identity, byTarget: new Map() };
    conn.envelopeHeaders = cache;
  }
  let header = cache.byTarget.get(target);
  if (!header) {
    if (cache.byTarget.size >= MAX_CACHED_HEADERS) cache.byTarget.clear();
    header =
      target === DIRECT
        ? encodeEnvelopeHeader({
            kind: EnvelopeKind.fromDevice,
            flags: 0,
            ids: [identity.deviceId, identity.userId],
          })
        : encodeEnvelopeHeader({
            kind: EnvelopeKind.fromRoom,
            flags: 0,
            ids: [target, identity.deviceId, identity.userId],
          });
    cache.byTarget.set(target, header);
  }
  return header;
}

/** Header + payload in one buffer: the payload is copied exactly once. */
function withHeader(header: Uint8Array, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

function envelopeError(conn: Connection, target: string, code: ErrorCode): void {
  conn.send({ t: 'envelope.error', target, code });
}

/** Returns false when the frame was not a valid client envelope. */
export function onEnvelope(ctx: RelayContext, conn: Connection, data: Uint8Array): boolean {
  const decoded = decodeEnvelope(data);
  if (!decoded.ok) return false;
  const env = decoded.envelope;
  const target = env.ids[0]!;
  const store = (env.flags & EnvelopeFlag.storeIfOffline) !== 0;
  // Storing means database writes (one per offline device): charge them to
  // the sender's bucket like other writing requests (dispatch.ts).
  if (store && !conn.bucket.take(Date.now(), STORE_EXTRA_COST)) {
    envelopeError(conn, target, 'RATE_LIMITED');
    return true;
  }
  if (env.kind === EnvelopeKind.toDevice) {
    toDevice(ctx, conn, target, env.payload, store);
    return true;
  }
  if (env.kind === EnvelopeKind.toRoom) {
    toRoom(ctx, conn, target, env.payload, store);
    return true;
  }
  return false;
}

function toDevice(
  ctx: RelayContext,
  conn: Connection,
  deviceId: string,
  payload: Uint8Array,
  storeIfOffline: boolean,
): void {
  const targetUser = ownerOfDevice(ctx, deviceId);
  if (!targetUser || !canReach(ctx, conn, targetUser)) {
    envelopeError(conn, deviceId, 'FORBIDDEN');
    return;
  }
  const target = ctx.presence.devices.get(deviceId);
  if (target) {
    if (target.bufferedBytes > ctx.config.maxBufferedBytes) {
      ctx.metrics.dropped('slow');
      envelopeError(conn, deviceId, 'RECIPIENT_SLOW');
      return;
    }
    target.sendBinary(withHeader(outgoingHeader(conn, DIRECT), payload));
    ctx.metrics.delivered(1);
    return;
  }
  if (!storeIfOffline) {
    envelopeError(conn, deviceId, 'NOT_ONLINE');
    return;
  }
  const item = mailItem(ctx, conn, deviceId, targetUser, null, payload);
  const code = storeMail(ctx, [item]);
  if (code) envelopeError(conn, deviceId, code);
  else conn.send({ t: 'envelope.stored', target: deviceId, count: 1 });
}

function toRoom(
  ctx: RelayContext,
  conn: Connection,
  roomId: string,
  payload: Uint8Array,
  storeIfOffline: boolean,
): void {
  const sender = conn.identity!;
  const members = ctx.presence.roomMembers(roomId);
  if (!members?.has(sender.userId)) {
    envelopeError(conn, roomId, 'FORBIDDEN');
    return;
  }
  // The fan-out is the expensive part, not the frame: charge it.
  const fanoutCost = Math.floor(members.size / MEMBERS_PER_EXTRA_TOKEN);
  if (fanoutCost > 0 && !conn.bucket.take(Date.now(), fanoutCost)) {
    envelopeError(conn, roomId, 'RATE_LIMITED');
    return;
  }
  const out = withHeader(outgoingHeader(conn, roomId), payload);
  const maxBuffered = ctx.config.maxBufferedBytes;
  let delivered = 0;
  let slowNotices = 0;
  for (const userId of members) {
    const conns = ctx.presence.users.get(userId);
    if (!conns) continue;
    for (const c of conns) {
      if (c === conn) continue;
      if (c.bufferedBytes > maxBuffered) {
        ctx.metrics.dropped('slow');
        // Bounded: a room of slow readers must not turn one frame in into
        // a hundred error frames out.
        if (slowNotices++ < MAX_SLOW_NOTICES_PER_ENVELOPE) {
          envelopeError(conn, c.deviceId!, 'RECIPIENT_SLOW');
        }
        continue;
      }
      c.sendBinary(out);
      delivered++;
    }
  }
  ctx.metrics.delivered(delivered);
  if (!storeIfOffline) return;
  const items: NewMailItem[] = [];
  for (const userId of members) {
    for (const device of ctx.store.listDevices(userId)) {
      if (device.id === sender.deviceId || ctx.presence.devices.has(device.id)) continue;
      items.push(mailItem(ctx, conn, device.id, userId, roomId, payload));
    }
  }
  if (items.length === 0) return;
  const code = storeMail(ctx, items);
  if (code) envelopeError(conn, roomId, code);
  else conn.send({ t: 'envelope.stored', target: roomId, count: items.length });
}

function mailItem(
  ctx: RelayContext,
  conn: Connection,
  deviceId: string,
  userId: string,
  roomId: string | null,
  payload: Uint8Array,
): NewMailItem {
  const now = ctx.now();
  return {
    deviceId,
    userId,
    fromDevice: conn.deviceId!,
    fromUser: conn.userId!,
    roomId,
    payload,
    created: now,
    expires: now + ctx.config.mailboxTtlDays * 86_400_000,
  };
}
