/**
 * A transport carries opaque frames between two devices: a WebRTC data
 * channel (direct or through TURN) or relay envelopes. Links run the
 * handshake and encryption on top and do not care which (ARCHITECTURE.md
 * "One code path above the transport").
 */
import type { Listenable } from '../emitter.ts';

export type PathKind = 'direct' | 'turn' | 'relay';

/** DTLS certificate fingerprint as applied (32 bytes), or the relay-path marker. */
export type Fingerprint = Uint8Array | 'relay';

export type TransportCloseReason =
  | 'CLOSED_LOCALLY'
  | 'CLOSED_REMOTELY'
  | 'CONNECT_TIMEOUT'
  | 'CONNECTION_FAILED'
  | 'BAD_SIGNAL'
  | 'FINGERPRINT_INVALID';

export type TransportEvents = {
  /** Connected, with fingerprints and path known. */
  open: [];
  message: [frame: Uint8Array];
  /** bufferedAmount fell to the low-water mark after being above it. */
  drain: [];
  close: [reason: TransportCloseReason];
};

export interface Transport {
  readonly events: Listenable<TransportEvents>;
  readonly isOpen: boolean;
  /** Known once open. */
  readonly path: PathKind | null;
  readonly localFingerprint: Fingerprint | null;
  readonly remoteFingerprint: Fingerprint | null;
  /** Bytes queued and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Returns false when the transport is not open (the frame was not sent). */
  send(frame: Uint8Array): boolean;
  close(): void;
}
