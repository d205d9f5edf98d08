/**
 * Wire forms of sender-key messages and distributions (CRYPTO.md "Rooms:
 * sender keys"). The header is encoded canonically with frame() because it
 * is both the AEAD's associated data and part of what DK signs; decoding is
 * strict (exact field count and sizes, version checked) and never throws.
 */
import { DOMAIN, SENDER_KEYS, SIZES, WIRE_TYPE, WIRE_VERSION } from './constants.ts';
import { frame, unframe } from './encoding.ts';
import { decodeWire, encodeWire, readBytes, readText, readU64 } from './wire.ts';

export interface SenderKeyHeader {
  v: number;
  room: string;
  epoch: number;
  dkPk: Uint8Array;
  /** Message index in the (device, room, epoch) chain. */
  n: number;
  msgId: string;
  /** ms since epoch, the sender's clock. */
  ts: number;
}

export interface SenderKeyMessage {
  header: SenderKeyHeader;
  /** The canonical header bytes exactly as received: the AEAD AD and signed. */
  headerBytes: Uint8Array;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  sig: Uint8Array;
}

export interface SenderKeyDistribution {
  room: string;
  epoch: number;
  dkPk: Uint8Array;
  /** Index of the next message the chain key opens. */
  n: number;
  chainKey: Uint8Array;
}

export const CHAIN_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
const AEAD_TAG_BYTES = 16;
const HEADER_MAX_BYTES =
  4 * 7 + 8 * 4 + 32 + SENDER_KEYS.maxRoomIdBytes + SENDER_KEYS.maxMsgIdBytes;
const MESSAGE_MAX_BYTES =
  2 +
  4 * 4 +
  HEADER_MAX_BYTES +
  AEAD_NONCE_BYTES +
  SIZES.signatureBytes +
  AEAD_TAG_BYTES +
  SENDER_KEYS.maxPlaintextBytes +
  SENDER_KEYS.padBlockBytes;
const DISTRIBUTION_MAX_BYTES = 512 + SENDER_KEYS.maxRoomIdBytes;

export function encodeHeader(h: Omit<SenderKeyHeader, 'v'>): Uint8Array {
  return frame(WIRE_VERSION, h.room, h.epoch, h.dkPk, h.n, h.msgId, h.ts);
}

export function decodeHeader(bytes: Uint8Array): SenderKeyHeader | null {
  let f: Uint8Array[];
  try {
    f = unframe(bytes);
  } catch {
    return null;
  }
  if (f.length !== 7) return null;
  const v = readU64(f[0]);
  const room = readText(f[1], SENDER_KEYS.maxRoomIdBytes);
  const epoch = readU64(f[2]);
  const dkPk = readBytes(f[3], SIZES.publicKeyBytes);
  const n = readU64(f[4]);
  const msgId = readText(f[5], SENDER_KEYS.maxMsgIdBytes);
  const ts = readU64(f[6]);
  if (v !== WIRE_VERSION || room === null || epoch === null || !dkPk || n === null) return null;
  if (msgId === null || ts === null) return null;
  return { v, room, epoch, dkPk, n, msgId, ts };
}

/** What DK signs for a message (domain added to the spec's header‖nonce‖c: see sender-keys.ts). */
export function messageSignatureInput(
  headerBytes: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  return frame(DOMAIN.senderKeyMessage, headerBytes, nonce, ciphertext);
}

export function encodeMessage(m: Omit<SenderKeyMessage, 'header'>): Uint8Array {
  return encodeWire(WIRE_TYPE.senderKeyMessage, m.headerBytes, m.nonce, m.ciphertext, m.sig);
}

export function decodeMessage(bytes: Uint8Array): SenderKeyMessage | null {
  const f = decodeWire(bytes, WIRE_TYPE.senderKeyMessage, 4, MESSAGE_MAX_BYTES);
  if (!f) return null;
  const headerBytes = f[0]!;
  if (headerBytes.length > HEADER_MAX_BYTES) return null;
  const header = decodeHeader(headerBytes);
  const nonce = readBytes(f[1], AEAD_NONCE_BYTES);
  const ciphertext = f[2]!;
  const sig = readBytes(f[3], SIZES.signatureBytes);
  if (!header || !nonce || !sig || ciphertext.length < AEAD_TAG_BYTES) return null;
  return { header, headerBytes: headerBytes.slice(), nonce, ciphertext: ciphertext.slice(), sig };
}

export function distributionSignatureInput(d: SenderKeyDistribution): Uint8Array {
  return frame(DOMAIN.senderKeyDistribution, d.room, d.epoch, d.dkPk, d.n, d.chainKey);
}

export function encodeDistribution(d: SenderKeyDistribution, sig: Uint8Array): Uint8Array {
  return encodeWire(WIRE_TYPE.senderKeyDistribution, d.room, d.epoch, d.dkPk, d.n, d.chainKey, sig);
}

export function decodeDistribution(
  bytes: Uint8Array,
): { distribution: SenderKeyDistribution; sig: Uint8Array } | null {
  const f = decodeWire(bytes, WIRE_TYPE.senderKeyDistribution, 6, DISTRIBUTION_MAX_BYTES);
  if (!f) return null;
  const room = readText(f[0], SENDER_KEYS.maxRoomIdBytes);
  const epoch = readU64(f[1]);
  const dkPk = readBytes(f[2], SIZES.publicKeyBytes);
  const n = readU64(f[3]);
  const chainKey = readBytes(f[4], CHAIN_KEY_BYTES);
  const sig = readBytes(f[5], SIZES.signatureBytes);
  if (room === null || epoch === null || !dkPk || n === null || !chainKey || !sig) return null;
  return { distribution: { room, epoch, dkPk, n, chainKey }, sig };
}
