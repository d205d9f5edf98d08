/**
 * The byte-level pieces of the link handshake (CRYPTO.md "Link handshake"),
 * kept apart from the state machine so they can be checked against
 * known-answer vectors: the transcript hash, the key schedule, the identity
 * proof each side signs, and the sealed payload: its encoding, sealing and
 * opening with every check that needs no handshake state.
 */
import { openAead } from './aead.ts';
import { DOMAIN, KDF_CONTEXT, type LINK, SIZES } from './constants.ts';
import { frame, unframe } from './encoding.ts';
import { type DeviceCert, type SigningKeyPair, verifyDeviceCert } from './keys.ts';
import { randomBytes } from './random.ts';
import { fail, ok, type Result } from './result.ts';
import { streamHeaderBytes } from './secretstream.ts';
import { sodium } from './sodium.ts';
import { readBytes, readText, readU64 } from './wire.ts';

/** 32 raw bytes from `parseSdpFingerprint`, or the relay-path marker. */
export type LinkFingerprint = Uint8Array | typeof LINK.relayFingerprint;

export interface TranscriptInput {
  context: string;
  /** Initiator's and responder's ephemeral X25519 public keys. */
  eA: Uint8Array;
  eB: Uint8Array;
  nA: Uint8Array;
  nB: Uint8Array;
  /** Initiator's and responder's DTLS fingerprints, as this side applied them. */
  fpA: LinkFingerprint;
  fpB: LinkFingerprint;
}

const MAX_DEVICE_ID_CHARS = 64;
export const AEAD_NONCE_BYTES = 24;

export type ProofError =
  | 'HANDSHAKE_MALFORMED'
  | 'HANDSHAKE_DECRYPT_FAILED'
  | 'CERT_INVALID'
  | 'SIGNATURE_INVALID';

export function transcriptHash(t: TranscriptInput): Uint8Array {
  return sodium().crypto_generichash(
    32,
    frame(DOMAIN.handshake, t.context, t.eA, t.eB, t.nA, t.nB, t.fpA, t.fpB),
    null,
  );
}

/** Per direction, from that direction's kx session key: the handshake key and the traffic key. */
export function directionKeys(sessionKey: Uint8Array): { hk: Uint8Array; traffic: Uint8Array } {
  const s = sodium();
  return {
    hk: s.crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT.handshakeKey, sessionKey),
    traffic: s.crypto_kdf_derive_from_key(32, 2, KDF_CONTEXT.traffic, sessionKey),
  };
}

/** What a side signs with its DK: its role's label and th. */
export function proofSignatureInput(role: 'initiator' | 'responder', th: Uint8Array): Uint8Array {
  return frame(role === 'initiator' ? DOMAIN.handshakeInit : DOMAIN.handshakeResp, th);
}

export interface IdentityProof {
  cert: DeviceCert;
  sig: Uint8Array;
  /** The sender's secretstream header for its sending direction. */
  streamHeader: Uint8Array;
}

/** Plaintext of the sealed payload: {IK, DK, cert, sig} plus the stream header. */
export function encodeProof(p: IdentityProof): Uint8Array {
  const { cert } = p;
  return frame(cert.ikPk, cert.dkPk, cert.deviceId, cert.created, cert.sig, p.sig, p.streamHeader);
}

/** Strict: exactly seven fields of exactly the right sizes, else null. */
export function decodeProof(payload: Uint8Array): IdentityProof | null {
  let f: Uint8Array[];
  try {
    f = unframe(payload);
  } catch {
    return null;
  }
  if (f.length !== 7) return null;
  const ikPk = readBytes(f[0], SIZES.publicKeyBytes);
  const dkPk = readBytes(f[1], SIZES.publicKeyBytes);
  const deviceId = readText(f[2], MAX_DEVICE_ID_CHARS);
  const created = readU64(f[3]);
  const certSig = readBytes(f[4], SIZES.signatureBytes);
  const sig = readBytes(f[5], SIZES.signatureBytes);
  const streamHeader = readBytes(f[6], streamHeaderBytes());
  if (!ikPk || !dkPk || deviceId === null || created === null || !certSig || !sig) return null;
  if (!streamHeader) return null;
  return { cert: { ikPk, dkPk, deviceId, created, sig: certSig }, sig, streamHeader };
}

/** This side's sealed proof (body of m2/m3): signs its role's label over th, seals under hk, AD = th. */
export function sealProof(
  hk: Uint8Array,
  th: Uint8Array,
  role: 'initiator' | 'responder',
  local: { dk: SigningKeyPair; cert: DeviceCert },
  streamHeader: Uint8Array,
): { nonce: Uint8Array; sealed: Uint8Array } {
  const s = sodium();
  const sig = s.crypto_sign_detached(proofSignatureInput(role, th), local.dk.privateKey);
  const payload = encodeProof({ cert: local.cert, sig, streamHeader });
  const nonce = randomBytes(AEAD_NONCE_BYTES);
  return {
    nonce,
    sealed: s.crypto_aead_xchacha20poly1305_ietf_encrypt(payload, th, null, nonce, hk),
  };
}

/**
 * Opens the peer's sealed proof and checks it stands on its own: the AEAD
 * under hk with AD = th, the exact layout, the cert chain (IK signed DK) and
 * DK's signature over the label of the peer's role and th.
 */
export function openProof(
  hk: Uint8Array,
  th: Uint8Array,
  peerRole: 'initiator' | 'responder',
  nonceField: Uint8Array | undefined,
  sealedField: Uint8Array | undefined,
): Result<IdentityProof, ProofError> {
  const nonce = readBytes(nonceField, AEAD_NONCE_BYTES);
  if (!nonce || !sealedField) return fail('HANDSHAKE_MALFORMED');
  const payload = openAead(hk, nonce, sealedField, th);
  if (!payload) return fail('HANDSHAKE_DECRYPT_FAILED');
  const proof = decodeProof(payload);
  if (!proof) return fail('HANDSHAKE_MALFORMED');
  if (!verifyDeviceCert(proof.cert)) return fail('CERT_INVALID');
  const signed = proofSignatureInput(peerRole, th);
  if (!sodium().crypto_sign_verify_detached(proof.sig, signed, proof.cert.dkPk)) {
    return fail('SIGNATURE_INVALID');
  }
  return ok(proof);
}
