/**
 * The link handshake's public types (CRYPTO.md "Link handshake"); the state
 * machine is in handshake.ts, which re-exports all of them.
 */
import type { LinkFingerprint } from './handshake-transcript.ts';
import type { DeviceCert, SigningKeyPair } from './keys.ts';
import type { LinkSession, LinkSessionOptions } from './link-session.ts';

export type HandshakeRole = 'initiator' | 'responder';

export interface HandshakeOptions {
  /** The room id or DM id this link serves. */
  context: string;
  local: { dk: SigningKeyPair; cert: DeviceCert };
  /** From our own applied local description (or "relay"). */
  localFingerprint: LinkFingerprint;
  /** From the remote description we applied (or "relay"). */
  remoteFingerprint: LinkFingerprint;
  /** The pinned IK of the user we expect; a different one is IDENTITY_MISMATCH. */
  expectedIk?: Uint8Array;
  /** The device we meant to reach; a different one is DEVICE_MISMATCH. */
  expectedDeviceId?: string;
  session?: LinkSessionOptions;
  /** Known-answer vectors and tests only: fixes this side's ephemeral key and nonce. */
  ephemeral?: { keyPair: { publicKey: Uint8Array; privateKey: Uint8Array }; nonce: Uint8Array };
}

export interface HandshakePeer {
  ikPk: Uint8Array;
  dkPk: Uint8Array;
  deviceId: string;
  cert: DeviceCert;
}

export interface HandshakeSuccess {
  peer: HandshakePeer;
  transcriptHash: Uint8Array;
  session: LinkSession;
}

export type HandshakeErrorCode =
  | 'HANDSHAKE_MALFORMED'
  | 'HANDSHAKE_UNEXPECTED'
  | 'HANDSHAKE_KEY_REJECTED'
  | 'HANDSHAKE_DECRYPT_FAILED'
  | 'CERT_INVALID'
  | 'SIGNATURE_INVALID'
  | 'HANDSHAKE_REFLECTED'
  | 'DEVICE_MISMATCH'
  /** An unexpected internal error: treated as a failed handshake. */
  | 'HANDSHAKE_FAILED';

export type HandshakeFailure =
  | { ok: false; code: HandshakeErrorCode }
  /** A valid, correctly signed peer whose IK is not the pinned one: warn the user. */
  | { ok: false; code: 'IDENTITY_MISMATCH'; presentedIk: Uint8Array; peer: HandshakePeer };

/** What one received message produced: a reply to send, and/or the finished handshake. */
export interface HandshakeProgress {
  reply: Uint8Array | null;
  done: HandshakeSuccess | null;
}

/** The crypto core's Result shape (`value` on success); a failure may carry more (IDENTITY_MISMATCH). */
export type HandshakeStep = { ok: true; value: HandshakeProgress } | HandshakeFailure;

export type HandshakeState =
  | 'awaiting-init'
  | 'awaiting-response'
  | 'awaiting-finish'
  | 'done'
  | 'failed';
