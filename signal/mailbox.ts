/**
 * Mailbox: ciphertext kept for offline devices (sealed DMs, room events,
 * sender-key distributions) until they collect it, with a TTL and a per-user
 * quota. Items are delivered at login and on `mailbox.fetch` as binary
 * envelopes (kind mailbox, carrying the item id), and deleted on
 * `mailbox.ack` — never before, so a crash between send and ack resends.
 */
import type { ClientMessageOf } from '../shared/protocol/client-messages.ts';
import { EnvelopeKind, encodeEnvelopeHeader } from '../shared/protocol/envelope.ts';
import type { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import type { NewMailItem } from './store/store.ts';

/** One delivery batch: at most this many items and about this many bytes. */
const MAILBOX_BATCH_ITEMS = 200;
const MAILBOX_BATCH_BYTES = 1024 * 1024;

/** Stores atomically; returns an error code when a quota would overflow. */
export function storeMail(ctx: RelayContext, items: NewMailItem[]): 'MAILBOX_FULL' | null {
  const result = ctx.store.putMail(items, {
    maxBytes: ctx.config.mailboxQuotaBytes,
    maxItems: ctx.config.mailboxQuotaItems,
  });
  if (result !== 'ok') return result;
  ctx.metrics.mailboxStored(items.length);
  return null;
}

/**
 * Sends the next batch, then `mailbox.batch`. At login (`onRequest` false)
 * an empty mailbox sends nothing; a `mailbox.fetch` is always answered.
 */
export function deliverMailbox(
  ctx: RelayContext,
  conn: Connection,
  ref: string | undefined,
  onRequest = false,
): void {
  const deviceId = conn.deviceId!;
  const now = ctx.now();
  const items = ctx.store.listMail(deviceId, now, MAILBOX_BATCH_ITEMS);
  let sent = 0;
  let bytes = 0;
  for (const item of items) {
    if (sent > 0 && bytes + item.payload.length > MAILBOX_BATCH_BYTES) break;
    const header = encodeEnvelopeHeader({
      kind: EnvelopeKind.mailbox,
      flags: 0,
      ids: [
        String(item.id),
        item.fromDevice,
        item.fromUser,
        item.roomId ?? '',
        String(item.created),
      ],
    });
    const out = Buffer.allocUnsafe(header.length + item.payload.length);
    out.set(header, 0);
    out.set(item.payload, header.length);
    if (!conn.sendBinary(out)) return;
    sent++;
    bytes += item.payload.length;
  }
  const total = ctx.store.countMail(deviceId, now);
  if (sent === 0 && total === 0 && !onRequest) return;
  conn.send({ t: 'mailbox.batch', ref, count: sent, remaining: total - sent });
}

export function onMailboxFetch(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'mailbox.fetch'>,
): void {
  deliverMailbox(ctx, conn, msg.ref, true);
}

export function onMailboxAck(
  ctx: RelayContext,
  conn: Connection,
  msg: ClientMessageOf<'mailbox.ack'>,
): void {
  ctx.store.ackMail(conn.deviceId!, msg.ids);
  conn.send({ t: 'ok', ref: msg.ref });
}

/** Deletes expired items; run periodically. */
export function sweepMailbox(ctx: RelayContext): number {
  const n = ctx.store.sweepMail(ctx.now());
  if (n > 0) ctx.log.info({ deleted: n }, 'mailbox sweep');
  return n;
}
