/**
 * Field schemas shared by the client and relay messages. Every string and
 * array is bounded, every number is an integer in range: the relay rejects
 * anything else before it looks at the meaning.
 */
import * as v from 'valibot';
import { SIZES } from '../crypto/constants.ts';
import { fromB64 } from '../crypto/encoding.ts';

/** Characters of unpadded base64url for `bytes` bytes. */
export function b64Length(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

const B64URL_RE = /^[A-Za-z0-9_-]*$/;

function isCanonicalB64(text: string): boolean {
  try {
    fromB64(text);
    return true;
  } catch {
    return false;
  }
}

/** base64url of exactly `bytes` bytes, canonical (one string per value). */
export function b64Bytes(bytes: number) {
  return v.pipe(
    v.string(),
    v.length(b64Length(bytes)),
    v.regex(B64URL_RE),
    v.check(isCanonicalB64, 'non-canonical base64url'),
  );
}

/** base64url of 1..maxBytes bytes. */
export function b64Max(maxBytes: number) {
  return v.pipe(
    v.string(),
    v.minLength(2),
    v.maxLength(b64Length(maxBytes)),
    v.regex(B64URL_RE),
    v.check(isCanonicalB64, 'non-canonical base64url'),
  );
}

export const LIMITS = {
  usernameMinChars: 3,
  usernameMaxChars: 32,
  roomNameMaxChars: 64,
  refMaxChars: 64,
  /** SDP with many candidates stays well under this; the relay never reads it. */
  signalDataMaxChars: 65_536,
  /** IK seed (32) + AEAD tag (16) + nonce (24) + room for a version byte. */
  secretBlobMaxBytes: 1024,
  mailboxAckMaxIds: 1000,
  /**
   * DM partners in one `dm.list.ok`: a new device opens each at start, so a
   * relay (or a user who opened DMs with thousands) cannot make it open more.
   */
  dmListMaxPartners: 1000,
  saltBytes: 16,
  roomIdBytes: 16,
  userIdBytes: 16,
  inviteCodeBytes: 16,
  /** Argon2id bounds a client may store: below is weak, above is a DoS on sign-in. */
  kdfOpsMin: 2,
  kdfOpsMax: 20,
  kdfMemMinBytes: 16 * 1024 * 1024,
  kdfMemMaxBytes: 1024 * 1024 * 1024,
} as const;

/** 3–32 of [a-z0-9_.-], upper case accepted; unique without regard to case. */
export const Username = v.pipe(
  v.string(),
  v.minLength(LIMITS.usernameMinChars),
  v.maxLength(LIMITS.usernameMaxChars),
  v.regex(/^[A-Za-z0-9_.-]+$/),
);

export const PublicKey = b64Bytes(SIZES.publicKeyBytes);
export const Signature = b64Bytes(SIZES.signatureBytes);
export const DeviceId = b64Bytes(SIZES.deviceIdBytes);
export const UserId = b64Bytes(LIMITS.userIdBytes);
export const RoomId = b64Bytes(LIMITS.roomIdBytes);
export const InviteCode = b64Bytes(LIMITS.inviteCodeBytes);
export const Salt = b64Bytes(LIMITS.saltBytes);
export const Nonce = b64Bytes(SIZES.challengeNonceBytes);
export const SecretBlob = b64Max(LIMITS.secretBlobMaxBytes);

/** ms since epoch (or any non-negative safe integer count). */
export const Timestamp = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
export const Count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/** Prekey ids and similar: u32. */
export const U32 = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff));

/** Client request id, echoed in the reply or error so the client can await it. */
export const Ref = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.refMaxChars));

/**
 * No control characters (names are shown in UIs and logs) and no format
 * characters: bidi overrides and isolates make "notes\u202Etxt.exe" read
 * "notesexe.txt", and zero-width characters make "general\u200B" look like
 * "general". Zero-width (non-)joiner stay: emoji sequences and several
 * scripts (Persian, the Indic ones) need them, and they reorder nothing.
 */
const ROOM_NAME_RE = /^(?:[^\p{Cc}\p{Cf}]|[\u200C\u200D])+$/u;

export const RoomName = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(LIMITS.roomNameMaxChars),
  v.regex(ROOM_NAME_RE),
);

export const Visibility = v.picklist(['public', 'private']);
export const Role = v.picklist(['owner', 'admin', 'member']);
export const AssignableRole = v.picklist(['admin', 'member']);
export const SecretKind = v.picklist(['password', 'recovery']);

export const ChallengeWire = v.strictObject({ nonce: Nonce, ts: Timestamp });

/** `DeviceCertWire` from shared/crypto/keys.ts. */
export const DeviceCertSchema = v.strictObject({
  ik: PublicKey,
  dk: PublicKey,
  deviceId: DeviceId,
  created: Timestamp,
  sig: Signature,
});

/** `SignedPrekeyWire` from shared/crypto/keys.ts. */
export const SignedPrekeySchema = v.strictObject({
  id: U32,
  pk: PublicKey,
  created: Timestamp,
  sig: Signature,
});

export const KdfParams = v.strictObject({
  alg: v.literal('argon2id13'),
  opslimit: v.pipe(
    v.number(),
    v.integer(),
    v.minValue(LIMITS.kdfOpsMin),
    v.maxValue(LIMITS.kdfOpsMax),
  ),
  memlimit: v.pipe(
    v.number(),
    v.integer(),
    v.minValue(LIMITS.kdfMemMinBytes),
    v.maxValue(LIMITS.kdfMemMaxBytes),
  ),
});

export type KdfParamsWire = v.InferOutput<typeof KdfParams>;
export type ChallengeWireT = v.InferOutput<typeof ChallengeWire>;
export type RoleT = v.InferOutput<typeof Role>;
export type VisibilityT = v.InferOutput<typeof Visibility>;
export type AssignableRoleT = v.InferOutput<typeof AssignableRole>;
