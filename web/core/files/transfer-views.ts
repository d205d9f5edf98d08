/**
 * How transfers look on the board (transfer-board.ts), built from the
 * engine's state; and reading an offer out of a file event.
 */
import { fromB64 } from '../../../shared/crypto/encoding.ts';
import { decodeFileOffer, type FileOffer } from '../../../shared/crypto/files.ts';
import type { OutgoingStream } from './outgoing-stream.ts';
import type { TransferView } from './transfer-board.ts';

export function pauseState(mine: boolean, peer: boolean): Partial<TransferView> {
  return mine || peer
    ? { state: 'paused', pausedBy: mine ? 'me' : 'peer' }
    : { state: 'active', pausedBy: null };
}

export function decodeOfferB64(b64: string): FileOffer | null {
  try {
    const decoded = decodeFileOffer(fromB64(b64));
    return decoded.ok ? decoded.value : null;
  } catch {
    return null;
  }
}

export function incomingView(
  convId: string,
  inc: { offer: FileOffer; record: { fromDevice: string } },
  state: TransferView['state'],
): TransferView {
  const { offer } = inc;
  return {
    ...baseView(convId, offer),
    id: `in:${offer.fileId}`,
    direction: 'in',
    peerDevice: inc.record.fromDevice,
    state,
  };
}

export function outgoingView(convId: string, stream: OutgoingStream): TransferView {
  return {
    ...baseView(convId, stream.offer),
    id: stream.id,
    direction: 'out',
    peerDevice: stream.deviceId,
    state: 'active',
  };
}

function baseView(convId: string, offer: FileOffer) {
  return {
    fileId: offer.fileId,
    convId,
    name: offer.name,
    mime: offer.mime,
    size: offer.size,
    bytesDone: 0,
    rateBytesPerSec: 0,
    etaMs: null,
    pausedBy: null,
    error: null,
    savedAs: null,
    segmentsStarted: 0,
  };
}
