/**
 * The plaintext of this device's two sealed key records, as bytes. The
 * records are authenticated (AEAD under the DEK), so a parse failure means a
 * bug or a schema change rather than an attack; it is still a coded error
 * and never a crash or a half-built account.
 */
import * as v from 'valibot';
import { fromB64, fromUtf8, toB64, utf8 } from '../../../shared/crypto/encoding.ts';
import {
  certFromWire,
  certToWire,
  type DeviceCert,
  type Identity,
  identityFromSeed,
  type SignedPrekeyPair,
  type SigningKeyPair,
} from '../../../shared/crypto/keys.ts';
import { sodium } from '../../../shared/crypto/sodium.ts';
import type { AccountPrekeys } from './account.ts';
import { AccountError } from './account-errors.ts';

const RECORD_VERSION = 1;
const ED25519_SECRET_KEY_BYTES = 64;
const ED25519_PUBLIC_KEY_OFFSET = 32;

export interface DeviceRecord {
  username: string;
  userId: string;
  identity: Identity;
  device: SigningKeyPair;
  cert: DeviceCert;
}

const B64 = v.pipe(v.string(), v.maxLength(512));
const U64 = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const DeviceRecordSchema = v.strictObject({
  v: v.literal(RECORD_VERSION),
  username: v.string(),
  userId: v.string(),
  seed: B64,
  dk: B64,
  cert: v.strictObject({ ik: B64, dk: B64, deviceId: v.string(), created: U64, sig: B64 }),
});

const PrekeySchema = v.strictObject({ id: U64, pk: B64, sk: B64, created: U64, sig: B64 });

const PrekeysRecordSchema = v.strictObject({
  v: v.literal(RECORD_VERSION),
  current: PrekeySchema,
  retired: v.array(v.strictObject({ prekey: PrekeySchema, retiredAt: U64 })),
});

function parse<T extends v.GenericSchema>(schema: T, bytes: Uint8Array): v.InferOutput<T> {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(bytes));
  } catch (error) {
    throw new AccountError('STORE_CORRUPT', 'key record is not JSON', { cause: error });
  }
  const checked = v.safeParse(schema, value);
  if (!checked.success) throw new AccountError('STORE_CORRUPT', 'key record has the wrong shape');
  return checked.output;
}

function bytesOf(text: string): Uint8Array {
  try {
    return fromB64(text);
  } catch (error) {
    throw new AccountError('STORE_CORRUPT', 'bad base64 in key record', { cause: error });
  }
}

export function encodeDeviceRecord(r: DeviceRecord): Uint8Array {
  return utf8(
    JSON.stringify({
      v: RECORD_VERSION,
      username: r.username,
      userId: r.userId,
      seed: toB64(r.identity.seed),
      dk: toB64(r.device.privateKey),
      cert: certToWire(r.cert),
    }),
  );
}

export function decodeDeviceRecord(bytes: Uint8Array): DeviceRecord {
  const r = parse(DeviceRecordSchema, bytes);
  const seed = bytesOf(r.seed);
  const dkSecret = bytesOf(r.dk);
  if (seed.length !== 32 || dkSecret.length !== ED25519_SECRET_KEY_BYTES) {
    throw new AccountError('STORE_CORRUPT', 'key record has keys of the wrong size');
  }
  const cert = certFromWire(r.cert);
  const identity = identityFromSeed(seed);
  sodium().memzero(seed);
  return {
    username: r.username,
    userId: r.userId,
    identity,
    device: { privateKey: dkSecret, publicKey: dkSecret.slice(ED25519_PUBLIC_KEY_OFFSET) },
    cert,
  };
}

function prekeyToRecord(p: SignedPrekeyPair) {
  return {
    id: p.id,
    pk: toB64(p.publicKey),
    sk: toB64(p.privateKey),
    created: p.created,
    sig: toB64(p.sig),
  };
}

function prekeyFromRecord(p: v.InferOutput<typeof PrekeySchema>): SignedPrekeyPair {
  return {
    id: p.id,
    publicKey: bytesOf(p.pk),
    privateKey: bytesOf(p.sk),
    created: p.created,
    sig: bytesOf(p.sig),
  };
}

export function encodePrekeysRecord(prekeys: AccountPrekeys): Uint8Array {
  return utf8(
    JSON.stringify({
      v: RECORD_VERSION,
      current: prekeyToRecord(prekeys.current),
      retired: prekeys.retired.map((r) => ({
        prekey: prekeyToRecord(r.prekey),
        retiredAt: r.retiredAt,
      })),
    }),
  );
}

export function decodePrekeysRecord(bytes: Uint8Array): AccountPrekeys {
  const r = parse(PrekeysRecordSchema, bytes);
  return {
    current: prekeyFromRecord(r.current),
    retired: r.retired.map((x) => ({ prekey: prekeyFromRecord(x.prekey), retiredAt: x.retiredAt })),
  };
}
