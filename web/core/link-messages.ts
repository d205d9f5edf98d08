/**
 * What travels inside an established link, for one conversation. Strict
 * binary (shared/crypto/wire.ts: version, type, framed fields); a peer's bytes
 * are outside input, so decoding never throws and rejects anything off-shape.
 *
 *   senderKey   a sender-key distribution (secret: only ever inside a link)
 *   roomEvent   a sender-key message carrying a signed chat event
 *   ack         ids of events the receiver has stored
 *   typing      ephemeral: on / off
 *   backfillRequest / backfillBatch
 *               what a member missed: events after `since`, each with its
 *               author's device cert so the receiver can verify the author
 *   direct      a signed chat event in a DM (the link itself is the encryption:
 *               forward secret per session, CRYPTO.md "Direct messages")
 *   chainHead   the sender's membership-chain head (seq and link hash; seq -1: none)
 *   chainEntries
 *               signed membership entries (web/core/room-chain-codec.ts), a
 *               contiguous run; `more` when the run continues in the next message
 */
import { decodeWire, encodeWire, readText, readU64 } from '../../shared/crypto/wire.ts';

/** Link-message types live above the crypto layer's WIRE_TYPE range (1–63). */
export const LINK_MESSAGE_TYPE = {
  senderKey: 64,
  roomEvent: 65,
  ack: 66,
  typing: 67,
  direct: 68,
  backfillRequest: 69,
  backfillBatch: 70,
  chainHead: 71,
  chainEntries: 72,
} as const;

/** Membership-chain messages are handled by room-chain-sync.ts, for members and joiners alike. */
export function isChainMessage(bytes: Uint8Array): boolean {
  return bytes[1] === LINK_MESSAGE_TYPE.chainHead || bytes[1] === LINK_MESSAGE_TYPE.chainEntries;
}

/**
 * Types 80–95 belong to file transfers (web/core/files/), which listen to the
 * mesh themselves; conversation sessions leave them alone.
 */
export const FILE_MESSAGE_TYPES = { first: 80, last: 95 } as const;

export function isFileMessage(bytes: Uint8Array): boolean {
  const type = bytes[1] ?? 0;
  return type >= FILE_MESSAGE_TYPES.first && type <= FILE_MESSAGE_TYPES.last;
}

export const LINK_MESSAGE_LIMITS = {
  /** A room event carries at most a 64 KiB signed event plus sender-key overhead. */
  maxBytes: 80 * 1024,
  maxAckIds: 256,
  /** A backfill batch stays under the smallest data-channel message size we use. */
  maxBatchBytes: 240 * 1024,
} as const;

export type LinkMessage =
  | { t: 'senderKey'; distribution: Uint8Array }
  | { t: 'roomEvent'; message: Uint8Array }
  | { t: 'ack'; ids: string[] }
  | { t: 'typing'; on: boolean }
  | { t: 'direct'; bytes: Uint8Array; sig: Uint8Array }
  | { t: 'backfillRequest'; since: string }
  | { t: 'backfillBatch'; items: Uint8Array; more: boolean }
  | { t: 'chainHead'; seq: number; hash: string }
  | { t: 'chainEntries'; entries: Uint8Array; more: boolean };

const LINK_HASH = /^[A-Za-z0-9_-]{43}$/;

const EVENT_ID = /^[A-Za-z0-9_-]{22}$/;

export function encodeLinkMessage(m: LinkMessage): Uint8Array {
  switch (m.t) {
    case 'senderKey':
      return encodeWire(LINK_MESSAGE_TYPE.senderKey, m.distribution);
    case 'roomEvent':
      return encodeWire(LINK_MESSAGE_TYPE.roomEvent, m.message);
    case 'ack':
      return encodeWire(LINK_MESSAGE_TYPE.ack, m.ids.join(','));
    case 'typing':
      return encodeWire(LINK_MESSAGE_TYPE.typing, m.on ? 1 : 0);
    case 'direct':
      return encodeWire(LINK_MESSAGE_TYPE.direct, m.bytes, m.sig);
    case 'backfillRequest':
      return encodeWire(LINK_MESSAGE_TYPE.backfillRequest, m.since);
    case 'backfillBatch':
      return encodeWire(LINK_MESSAGE_TYPE.backfillBatch, m.items, m.more ? 1 : 0);
    // seq + 1 on the wire: the u64 field has no -1 for "no chain yet".
    case 'chainHead':
      return encodeWire(LINK_MESSAGE_TYPE.chainHead, m.seq + 1, m.hash);
    case 'chainEntries':
      return encodeWire(LINK_MESSAGE_TYPE.chainEntries, m.entries, m.more ? 1 : 0);
  }
}

export function decodeLinkMessage(bytes: Uint8Array): LinkMessage | null {
  const max = LINK_MESSAGE_LIMITS.maxBytes;
  switch (bytes[1]) {
    case LINK_MESSAGE_TYPE.senderKey: {
      const f = decodeWire(bytes, LINK_MESSAGE_TYPE.senderKey, 1, max);
      return f ? { t: 'senderKey', distribution: f[0]! } : null;
    }
    case LINK_MESSAGE_TYPE.roomEvent: {
      const f = decodeWire(bytes, LINK_MESSAGE_TYPE.roomEvent, 1, max);
      return f ? { t: 'roomEvent', message: f[0]! } : null;
    }
    case LINK_MESSAGE_TYPE.ack: {
      const f = decodeWire(bytes, LINK_MESSAGE_TYPE.ack, 1, max);
      const text = readText(f?.[0], LINK_MESSAGE_LIMITS.maxAckIds * 23);
      if (!text) return null;
      const ids = text.split(',');
      if (ids.length > LINK_MESSAGE_LIMITS.maxAckIds || !ids.every((id) => EVENT_ID.test(id))) {
        return null;
      }
      return { t: 'ack', ids };
    }
    case LINK_MESSAGE_TYPE.typing: {
      const flag = readU64(decodeWire(bytes, LINK_MESSAGE_TYPE.typing, 1, max)?.[0]);
      return flag === 0 || flag === 1 ? { t: 'typing', on: flag === 1 } : null;
    }
    case LINK_MESSAGE_TYPE.direct: {
      const f = decodeWire(bytes, LINK_MESSAGE_TYPE.direct, 2, max);
      return f && f[1]!.length === 64 ? { t: 'direct', bytes: f[0]!, sig: f[1]! } : null;
    }
    case LINK_MESSAGE_TYPE.backfillRequest: {
      const since = readText(
        decodeWire(bytes, LINK_MESSAGE_TYPE.backfillRequest, 1, max)?.[0],
        128,
      );
      return since === null ? null : { t: 'backfillRequest', since };
    }
    case LINK_MESSAGE_TYPE.backfillBatch: {
      const f = decodeWire(
        bytes,
        LINK_MESSAGE_TYPE.backfillBatch,
        2,
        LINK_MESSAGE_LIMITS.maxBatchBytes,
      );
      const more = readU64(f?.[1]);
      return f && (more === 0 || more === 1)
        ? { t: 'backfillBatch', items: f[0]!, more: more === 1 }
        : null;
    }
    case LINK_MESSAGE_TYPE.chainHead: {
      const f = decodeWire(bytes, LINK_MESSAGE_TYPE.chainHead, 2, 128);
      const seqPlusOne = readU64(f?.[0]);
      const hash = readText(f?.[1], 43);
      if (seqPlusOne === null || seqPlusOne > 1_000_001 || hash === null) return null;
      if (seqPlusOne === 0 ? hash !== '' : !LINK_HASH.test(hash)) return null;
      return { t: 'chainHead', seq: seqPlusOne - 1, hash };
    }
    case LINK_MESSAGE_TYPE.chainEntries: {
      const f = decodeWire(
        bytes,
        LINK_MESSAGE_TYPE.chainEntries,
        2,
        LINK_MESSAGE_LIMITS.maxBatchBytes,
      );
      const more = readU64(f?.[1]);
      return f && (more === 0 || more === 1)
        ? { t: 'chainEntries', entries: f[0]!, more: more === 1 }
        : null;
    }
    default:
      return null;
  }
}
