/**
 * Binary relay envelopes: ciphertext travels as binary WebSocket frames, never
 * base64-inflated. Layout (all ids ASCII base64url or decimal):
 *
 *   byte 0   version (ENVELOPE_VERSION)
 *   byte 1   kind (EnvelopeKind)
 *   byte 2   flags (EnvelopeFlag bits)
 *   then, for each id the kind defines: 1 length byte (≤ 64), the id bytes
 *   then the payload: opaque, to the end of the frame
 *
 * Clients send toDevice/toRoom naming the target. The relay never trusts a
 * sender id in a frame: it writes a fresh header naming the sender its socket
 * proved (fromDevice/fromRoom/mailbox) and forwards the payload bytes as-is.
 * Decoding returns the payload as a view into the frame (no copy); encoding
 * copies it once into the new frame.
 */

export const ENVELOPE_VERSION = 1;

export const EnvelopeKind = {
  /** client → relay: ids [targetDeviceId] */
  toDevice: 1,
  /** client → relay: ids [roomId] */
  toRoom: 2,
  /** relay → client: ids [fromDeviceId, fromUserId] */
  fromDevice: 3,
  /** relay → client: ids [roomId, fromDeviceId, fromUserId] */
  fromRoom: 4,
  /** relay → client: ids [itemId, fromDeviceId, fromUserId, roomId or '', createdMs] */
  mailbox: 5,
} as const;
export type EnvelopeKindValue = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

export const EnvelopeFlag = {
  /** Keep a copy in the mailbox of each target device that is offline. */
  storeIfOffline: 1,
} as const;

const ID_COUNT: Record<EnvelopeKindValue, number> = { 1: 1, 2: 1, 3: 2, 4: 3, 5: 5 };
const KNOWN_FLAGS = EnvelopeFlag.storeIfOffline;
export const ENVELOPE_MAX_ID_BYTES = 64;

export interface EnvelopeHeader {
  kind: EnvelopeKindValue;
  flags: number;
  ids: string[];
}

export interface DecodedEnvelope extends EnvelopeHeader {
  /** A view into the frame: no copy. */
  payload: Uint8Array;
}

export type DecodeResult = { ok: true; envelope: DecodedEnvelope } | { ok: false; message: string };

function isIdByte(b: number): boolean {
  // base64url alphabet and decimal digits: A-Z a-z 0-9 - _
  return (
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x2d ||
    b === 0x5f
  );
}

function asciiId(text: string): number[] {
  if (text.length > ENVELOPE_MAX_ID_BYTES) throw new RangeError('parley/envelope: id too long');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const b = text.charCodeAt(i);
    if (!isIdByte(b)) throw new RangeError('parley/envelope: id has a bad character');
    out.push(b);
  }
  return out;
}

/** The header bytes alone (the relay writes them in front of a payload it already holds). */
export function encodeEnvelopeHeader(header: EnvelopeHeader): Uint8Array {
  if (header.ids.length !== ID_COUNT[header.kind]) {
    throw new RangeError('parley/envelope: wrong number of ids for kind');
  }
  const ids = header.ids.map(asciiId);
  const out = new Uint8Array(3 + ids.reduce((n, id) => n + 1 + id.length, 0));
  out[0] = ENVELOPE_VERSION;
  out[1] = header.kind;
  out[2] = header.flags & 0xff;
  let at = 3;
  for (const id of ids) {
    out[at++] = id.length;
    out.set(id, at);
    at += id.length;
  }
  return out;
}

/** Header + payload in one new buffer (the payload is copied exactly once). */
export function encodeEnvelope(header: EnvelopeHeader, payload: Uint8Array): Uint8Array {
  const head = encodeEnvelopeHeader(header);
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

export function decodeEnvelope(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 3) return { ok: false, message: 'envelope shorter than its header' };
  if (bytes[0] !== ENVELOPE_VERSION) return { ok: false, message: 'unknown envelope version' };
  const kind = bytes[1] as EnvelopeKindValue;
  const count = ID_COUNT[kind];
  if (count === undefined) return { ok: false, message: 'unknown envelope kind' };
  const flags = bytes[2]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) return { ok: false, message: 'unknown envelope flags' };
  const ids: string[] = [];
  let at = 3;
  for (let i = 0; i < count; i++) {
    if (at >= bytes.length) return { ok: false, message: 'truncated envelope id' };
    const len = bytes[at++]!;
    if (len > ENVELOPE_MAX_ID_BYTES || at + len > bytes.length) {
      return { ok: false, message: 'bad envelope id length' };
    }
    let id = '';
    for (let j = 0; j < len; j++) {
      const b = bytes[at + j]!;
      if (!isIdByte(b)) return { ok: false, message: 'bad envelope id character' };
      id += String.fromCharCode(b);
    }
    ids.push(id);
    at += len;
  }
  return { ok: true, envelope: { kind, flags, ids, payload: bytes.subarray(at) } };
}

/** What a client sends: to one device, or to a room's online devices. */
export function clientEnvelope(
  target: { device: string } | { room: string },
  payload: Uint8Array,
  opts: { storeIfOffline?: boolean } = {},
): Uint8Array {
  const flags = opts.storeIfOffline ? EnvelopeFlag.storeIfOffline : 0;
  return 'device' in target
    ? encodeEnvelope({ kind: EnvelopeKind.toDevice, flags, ids: [target.device] }, payload)
    : encodeEnvelope({ kind: EnvelopeKind.toRoom, flags, ids: [target.room] }, payload);
}

/** What a client receives, read into named fields. */
export type ReceivedEnvelope =
  | { kind: 'direct'; fromDevice: string; fromUser: string; payload: Uint8Array }
  | { kind: 'room'; roomId: string; fromDevice: string; fromUser: string; payload: Uint8Array }
  | {
      kind: 'mailbox';
      itemId: number;
      fromDevice: string;
      fromUser: string;
      roomId: string | null;
      createdMs: number;
      payload: Uint8Array;
    };

export function readRelayEnvelope(bytes: Uint8Array): ReceivedEnvelope | null {
  const r = decodeEnvelope(bytes);
  if (!r.ok) return null;
  const { kind, ids, payload } = r.envelope;
  if (kind === EnvelopeKind.fromDevice) {
    return { kind: 'direct', fromDevice: ids[0]!, fromUser: ids[1]!, payload };
  }
  if (kind === EnvelopeKind.fromRoom) {
    return { kind: 'room', roomId: ids[0]!, fromDevice: ids[1]!, fromUser: ids[2]!, payload };
  }
  if (kind === EnvelopeKind.mailbox) {
    const itemId = Number(ids[0]);
    const createdMs = Number(ids[4]);
    if (!Number.isSafeInteger(itemId) || !Number.isSafeInteger(createdMs)) return null;
    return {
      kind: 'mailbox',
      itemId,
      fromDevice: ids[1]!,
      fromUser: ids[2]!,
      roomId: ids[3] ? ids[3] : null,
      createdMs,
      payload,
    };
  }
  return null;
}
