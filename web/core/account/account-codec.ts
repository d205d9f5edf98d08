/**
 * The plaintext of this device's two sealed key records, in the canonical
 * length-prefixed encoding (frame/unframe) rather than JSON, so secrets never
 * pass through immutable JS strings that cannot be wiped; every intermediate
 * byte array holding a secret is zeroed. The records are authenticated
 * (AEAD under the DEK), so a parse failure means a bug or a schema change,
 * not an attack; it is still a coded error and never a half-built account.
 */

import { SIZES } from '../../../shared/crypto/constants.ts';
import { frame, fromUtf8, unframe } from '../../../shared/crypto/encoding.ts';
import {
  type DeviceCert,
  type Identity,
  identityFromSeed,
  type SignedPrekeyPair,
  type SigningKeyPair,
} from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { AccountPrekeys, RetiredPrekey } from './account.ts';
import { AccountError } from './account-errors.ts';

const RECORD_VERSION = 1;
const X25519_SECRET_KEY_BYTES = 32;
const U64_BYTES = 8;
/** A current prekey is stored with this in place of a retirement time. */
const NOT_RETIRED = 0;

export interface DeviceRecord {
  username: string;
  userId: string;
  identity: Identity;
  device: SigningKeyPair;
  cert: DeviceCert;
}

function corrupt(why: string, cause?: unknown): AccountError {
  return new AccountError('STORE_CORRUPT', why, cause === undefined ? undefined : { cause });
}

function fields(bytes: Uint8Array, count: number): Uint8Array[] {
  let parts: Uint8Array[];
  try {
    parts = unframe(bytes);
  } catch (error) {
    throw corrupt('key record is not framed', error);
  }
  if (parts.length !== count) throw corrupt('key record has the wrong number of fields');
  return parts;
}

function sized(part: Uint8Array | undefined, length: number): Uint8Array {
  if (!part || part.length !== length) throw corrupt('key record field has the wrong size');
  return part.slice();
}

function number(part: Uint8Array | undefined): number {
  if (!part || part.length !== U64_BYTES) throw corrupt('key record number is malformed');
  const value = new DataView(part.buffer, part.byteOffset, U64_BYTES).getBigUint64(0);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt('key record number is too large');
  return Number(value);
}

function text(part: Uint8Array | undefined): string {
  try {
    return fromUtf8(part ?? new Uint8Array());
  } catch (error) {
    throw corrupt('key record text is not UTF-8', error);
  }
}

function checkVersion(part: Uint8Array | undefined): void {
  if (number(part) !== RECORD_VERSION) throw corrupt('unknown key record version');
}

export function encodeDeviceRecord(r: DeviceRecord): Uint8Array {
  return frame(
    RECORD_VERSION,
    r.username,
    r.userId,
    r.identity.seed,
    r.device.privateKey,
    r.cert.ikPk,
    r.cert.dkPk,
    r.cert.deviceId,
    r.cert.created,
    r.cert.sig,
  );
}

export function decodeDeviceRecord(bytes: Uint8Array): DeviceRecord {
  const [version, username, userId, seedPart, dkPart, ikPk, dkPk, deviceId, created, sig] = fields(
    bytes,
    10,
  );
  checkVersion(version);
  const seed = sized(seedPart, SIZES.seedBytes);
  const dkSecret = sized(dkPart, SIZES.signSecretKeyBytes);
  const identity = identityFromSeed(seed);
  sodium().memzero(seed);
  return {
    username: text(username),
    userId: text(userId),
    identity,
    device: { privateKey: dkSecret, publicKey: dkSecret.slice(SIZES.seedBytes) },
    cert: {
      ikPk: sized(ikPk, SIZES.publicKeyBytes),
      dkPk: sized(dkPk, SIZES.publicKeyBytes),
      deviceId: text(deviceId),
      created: number(created),
      sig: sized(sig, SIZES.signatureBytes),
    },
  };
}

function encodePrekey(p: SignedPrekeyPair, retiredAt: number): Uint8Array {
  return frame(p.id, p.publicKey, p.privateKey, p.created, p.sig, retiredAt);
}

function decodePrekey(bytes: Uint8Array): RetiredPrekey {
  const [id, pk, sk, created, sig, retiredAt] = fields(bytes, 6);
  return {
    prekey: {
      id: number(id),
      publicKey: sized(pk, SIZES.publicKeyBytes),
      privateKey: sized(sk, X25519_SECRET_KEY_BYTES),
      created: number(created),
      sig: sized(sig, SIZES.signatureBytes),
    },
    retiredAt: number(retiredAt),
  };
}

export function encodePrekeysRecord(prekeys: AccountPrekeys): Uint8Array {
  const parts = [
    encodePrekey(prekeys.current, NOT_RETIRED),
    ...prekeys.retired.map((r) => encodePrekey(r.prekey, r.retiredAt)),
  ];
  const out = frame(RECORD_VERSION, ...parts);
  for (const part of parts) sodium().memzero(part);
  return out;
}

export function decodePrekeysRecord(bytes: Uint8Array): AccountPrekeys {
  let parts: Uint8Array[];
  try {
    parts = unframe(bytes);
  } catch (error) {
    throw corrupt('prekeys record is not framed', error);
  }
  const [version, current, ...retired] = parts;
  checkVersion(version);
  if (!current) throw corrupt('prekeys record has no current prekey');
  return {
    current: decodePrekey(current).prekey,
    retired: retired.map(decodePrekey),
  };
}
