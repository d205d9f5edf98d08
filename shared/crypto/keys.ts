/**
 * Long-term keys (CRYPTO.md "Keys"): the user's identity key IK (Ed25519 from
 * a backed-up seed), one device key DK per browser (Ed25519, never leaves the
 * device), the certificate binding DK to IK, and signed prekeys (X25519,
 * signed by DK). Ed25519 and X25519 keys are kept separate: no conversion.
 */
import { DOMAIN, SIZES } from './constants.ts';
import { frame, fromB64, toB64 } from './encoding.ts';
import { randomBytes } from './random.ts';
import { sodium } from './sodium.ts';

export interface SigningKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface Identity extends SigningKeyPair {
  /** 32-byte seed: the one secret that is backed up (password blob, recovery key). */
  seed: Uint8Array;
}

export interface DeviceCert {
  ikPk: Uint8Array;
  dkPk: Uint8Array;
  deviceId: string;
  /** ms since epoch. */
  created: number;
  sig: Uint8Array;
}

/** JSON form of a DeviceCert, as it travels to the relay and between peers. */
export interface DeviceCertWire {
  ik: string;
  dk: string;
  deviceId: string;
  created: number;
  sig: string;
}

export interface SignedPrekey {
  id: number;
  publicKey: Uint8Array;
  /** ms since epoch. */
  created: number;
  /** DK signature over (domain ‖ DK_pk ‖ id ‖ publicKey ‖ created). */
  sig: Uint8Array;
}

export interface SignedPrekeyPair extends SignedPrekey {
  privateKey: Uint8Array;
}

export interface SignedPrekeyWire {
  id: number;
  pk: string;
  created: number;
  sig: string;
}

export function newIdentitySeed(): Uint8Array {
  return randomBytes(SIZES.seedBytes);
}

export function identityFromSeed(seed: Uint8Array): Identity {
  if (seed.length !== SIZES.seedBytes) throw new RangeError('parley/keys: seed must be 32 bytes');
  const kp = sodium().crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, privateKey: kp.privateKey, seed: seed.slice() };
}

export function newDeviceKey(): SigningKeyPair {
  const kp = sodium().crypto_sign_keypair();
  return { publicKey: kp.publicKey, privateKey: kp.privateKey };
}

/**
 * A device id is derived from its key, so nobody (the relay included) can
 * claim another device's id without its key.
 */
export function deviceIdOf(dkPk: Uint8Array): string {
  return toB64(
    sodium().crypto_generichash(SIZES.deviceIdBytes, frame(DOMAIN.deviceId, dkPk), null),
  );
}

/** A short, non-secret id for logs and UI: 8 bytes of hash, base64url. */
export function keyId(publicKey: Uint8Array): string {
  return toB64(sodium().crypto_generichash(8, frame(DOMAIN.keyId, publicKey), null));
}

/** What frame() can encode as a number: a non-negative safe integer. */
function isU64(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function deviceCertMessage(dkPk: Uint8Array, deviceId: string, created: number): Uint8Array {
  return frame(DOMAIN.deviceCert, dkPk, deviceId, created);
}

export function makeDeviceCert(ik: SigningKeyPair, dkPk: Uint8Array, created: number): DeviceCert {
  const deviceId = deviceIdOf(dkPk);
  const sig = sodium().crypto_sign_detached(
    deviceCertMessage(dkPk, deviceId, created),
    ik.privateKey,
  );
  return { ikPk: ik.publicKey, dkPk, deviceId, created, sig };
}

/** True when the cert is well-formed, its device id matches DK and IK signed it. */
export function verifyDeviceCert(cert: DeviceCert, expectedIkPk?: Uint8Array): boolean {
  const s = sodium();
  if (cert.ikPk.length !== SIZES.publicKeyBytes || cert.dkPk.length !== SIZES.publicKeyBytes) {
    return false;
  }
  if (cert.sig.length !== SIZES.signatureBytes) return false;
  // frame() throws on these; a cert from the wire must be refused, not crash.
  if (!isU64(cert.created) || typeof cert.deviceId !== 'string') return false;
  if (
    expectedIkPk &&
    (expectedIkPk.length !== cert.ikPk.length || !s.memcmp(expectedIkPk, cert.ikPk))
  ) {
    return false;
  }
  if (cert.deviceId !== deviceIdOf(cert.dkPk)) return false;
  return s.crypto_sign_verify_detached(
    cert.sig,
    deviceCertMessage(cert.dkPk, cert.deviceId, cert.created),
    cert.ikPk,
  );
}

export function certToWire(cert: DeviceCert): DeviceCertWire {
  return {
    ik: toB64(cert.ikPk),
    dk: toB64(cert.dkPk),
    deviceId: cert.deviceId,
    created: cert.created,
    sig: toB64(cert.sig),
  };
}

/** Throws RangeError on malformed base64url; signature is not checked here. */
export function certFromWire(wire: DeviceCertWire): DeviceCert {
  return {
    ikPk: fromB64(wire.ik),
    dkPk: fromB64(wire.dk),
    deviceId: wire.deviceId,
    created: wire.created,
    sig: fromB64(wire.sig),
  };
}

function prekeyMessage(dkPk: Uint8Array, id: number, pk: Uint8Array, created: number) {
  return frame(DOMAIN.signedPrekey, dkPk, id, pk, created);
}

export function makeSignedPrekey(
  dk: SigningKeyPair,
  id: number,
  created: number,
): SignedPrekeyPair {
  const kp = sodium().crypto_box_keypair();
  const sig = sodium().crypto_sign_detached(
    prekeyMessage(dk.publicKey, id, kp.publicKey, created),
    dk.privateKey,
  );
  return { id, publicKey: kp.publicKey, privateKey: kp.privateKey, created, sig };
}

export function verifySignedPrekey(spk: SignedPrekey, dkPk: Uint8Array): boolean {
  if (spk.publicKey.length !== SIZES.publicKeyBytes || spk.sig.length !== SIZES.signatureBytes) {
    return false;
  }
  if (!isU64(spk.id) || !isU64(spk.created) || dkPk.length !== SIZES.publicKeyBytes) return false;
  return sodium().crypto_sign_verify_detached(
    spk.sig,
    prekeyMessage(dkPk, spk.id, spk.publicKey, spk.created),
    dkPk,
  );
}

export function prekeyToWire(spk: SignedPrekey): SignedPrekeyWire {
  return { id: spk.id, pk: toB64(spk.publicKey), created: spk.created, sig: toB64(spk.sig) };
}

export function prekeyFromWire(wire: SignedPrekeyWire): SignedPrekey {
  return {
    id: wire.id,
    publicKey: fromB64(wire.pk),
    created: wire.created,
    sig: fromB64(wire.sig),
  };
}
