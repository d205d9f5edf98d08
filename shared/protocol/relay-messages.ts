/**
 * Every JSON control message the relay sends. Replies carry the request's
 * `ref`; events (presence, signal, room.member, …) carry none.
 */
import * as v from 'valibot';
import { ERROR_CODE_LIST } from './errors.ts';
import {
  ChallengeWire,
  Count,
  DeviceCertSchema,
  DeviceId,
  InviteCode,
  KdfParams,
  LIMITS,
  PublicKey,
  Ref,
  Role,
  RoomId,
  RoomName,
  Salt,
  SecretBlob,
  SecretKind,
  SignedPrekeySchema,
  Timestamp,
  U32,
  UserId,
  Username,
  Visibility,
} from './fields.ts';

const ref = v.optional(Ref);
const MAX_LIST = 10_000;
const Message = v.pipe(v.string(), v.maxLength(500));
const VersionText = v.pipe(v.string(), v.maxLength(64));

export const RelayLimits = v.strictObject({
  maxFrameBytes: Count,
  maxControlBytes: Count,
  maxFileBytes: Count,
  maxRoomMembers: Count,
  maxDevicesPerUser: Count,
  mailboxTtlMs: Count,
  mailboxQuotaBytes: Count,
  mailboxQuotaItems: Count,
  authDeadlineMs: Count,
});
export type RelayLimitsT = v.InferOutput<typeof RelayLimits>;

export const RoomSummary = v.strictObject({
  id: RoomId,
  name: RoomName,
  visibility: Visibility,
  /** The caller's role, when the caller is a member. */
  role: v.optional(Role),
  memberCount: Count,
});
export type RoomSummaryT = v.InferOutput<typeof RoomSummary>;

export const MemberInfo = v.strictObject({
  userId: UserId,
  username: Username,
  role: Role,
  /** Device ids of this member that are connected now. */
  online: v.pipe(v.array(DeviceId), v.maxLength(64)),
});
export type MemberInfoT = v.InferOutput<typeof MemberInfo>;

/** A DM partner's name, as the relay knows it (not a key: trust pins decide identity). */
export const DmPartnerInfo = v.strictObject({ userId: UserId, username: Username });
export type DmPartnerInfoT = v.InferOutput<typeof DmPartnerInfo>;

export const DeviceKeys = v.strictObject({ cert: DeviceCertSchema, spk: SignedPrekeySchema });

export const RelayMessageSchemas = {
  hello: v.strictObject({
    t: v.literal('hello'),
    ref,
    v: U32,
    relay: VersionText,
    challenge: ChallengeWire,
    limits: RelayLimits,
  }),
  challenge: v.strictObject({ t: v.literal('challenge'), ref, challenge: ChallengeWire }),
  /** Register, login and device.add all end here: the socket is now this device. */
  authed: v.strictObject({
    t: v.literal('authed'),
    ref,
    userId: UserId,
    username: Username,
    deviceId: DeviceId,
    /** Mailbox items waiting; they follow as binary frames, then `mailbox.batch`. */
    mailbox: Count,
  }),
  'prelogin.ok': v.strictObject({ t: v.literal('prelogin.ok'), ref, salt: Salt, kdf: KdfParams }),
  'blob.ok': v.strictObject({
    t: v.literal('blob.ok'),
    ref,
    kind: SecretKind,
    userId: UserId,
    ik: PublicKey,
    blob: SecretBlob,
    salt: v.optional(Salt),
    kdf: v.optional(KdfParams),
  }),
  /** A request that returns nothing succeeded. */
  ok: v.strictObject({ t: v.literal('ok'), ref }),
  keys: v.strictObject({
    t: v.literal('keys'),
    ref,
    userId: UserId,
    username: Username,
    ik: PublicKey,
    devices: v.pipe(v.array(DeviceKeys), v.maxLength(64)),
  }),
  'room.created': v.strictObject({
    t: v.literal('room.created'),
    ref,
    room: RoomSummary,
    /** Shown once; the relay keeps only its hash. */
    invite: v.optional(InviteCode),
  }),
  'room.invite.ok': v.strictObject({
    t: v.literal('room.invite.ok'),
    ref,
    roomId: RoomId,
    invite: InviteCode,
  }),
  'room.joined': v.strictObject({
    t: v.literal('room.joined'),
    ref,
    room: RoomSummary,
    members: v.pipe(v.array(MemberInfo), v.maxLength(MAX_LIST)),
  }),
  'room.list.ok': v.strictObject({
    t: v.literal('room.list.ok'),
    ref,
    rooms: v.pipe(v.array(RoomSummary), v.maxLength(MAX_LIST)),
  }),
  'room.public.ok': v.strictObject({
    t: v.literal('room.public.ok'),
    ref,
    rooms: v.pipe(v.array(RoomSummary), v.maxLength(MAX_LIST)),
  }),
  'room.members.ok': v.strictObject({
    t: v.literal('room.members.ok'),
    ref,
    roomId: RoomId,
    members: v.pipe(v.array(MemberInfo), v.maxLength(MAX_LIST)),
  }),
  /** A membership change in a room the receiver is in (or was, for kick/ban). */
  'room.member': v.strictObject({
    t: v.literal('room.member'),
    roomId: RoomId,
    userId: UserId,
    username: Username,
    role: Role,
    change: v.picklist(['joined', 'left', 'kicked', 'banned', 'role']),
    by: v.optional(UserId),
  }),
  'room.deleted': v.strictObject({ t: v.literal('room.deleted'), roomId: RoomId }),
  /** A member device came online or went offline in a shared room. */
  presence: v.strictObject({
    t: v.literal('presence'),
    roomId: RoomId,
    userId: UserId,
    deviceId: DeviceId,
    online: v.boolean(),
  }),
  'dm.ok': v.strictObject({
    t: v.literal('dm.ok'),
    ref,
    userId: UserId,
    username: Username,
    /** Device ids connected now. */
    online: v.pipe(v.array(DeviceId), v.maxLength(64)),
  }),
  /** The caller's DM partners, most recently opened first. */
  'dm.list.ok': v.strictObject({
    t: v.literal('dm.list.ok'),
    ref,
    partners: v.pipe(v.array(DmPartnerInfo), v.maxLength(LIMITS.dmListMaxPartners)),
  }),
  /** Signalling from another device; `from` is what that socket proved. */
  signal: v.strictObject({
    t: v.literal('signal'),
    from: DeviceId,
    fromUser: UserId,
    data: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.signalDataMaxChars)),
  }),
  /** A binary envelope was kept in the mailbox for `count` offline devices. */
  'envelope.stored': v.strictObject({
    t: v.literal('envelope.stored'),
    target: v.pipe(v.string(), v.maxLength(64)),
    count: Count,
  }),
  /** A binary envelope was not delivered to `target` (a device or room id). */
  'envelope.error': v.strictObject({
    t: v.literal('envelope.error'),
    target: v.pipe(v.string(), v.maxLength(64)),
    code: v.picklist(ERROR_CODE_LIST),
  }),
  /** Ends a run of mailbox binary frames. */
  'mailbox.batch': v.strictObject({
    t: v.literal('mailbox.batch'),
    ref,
    count: Count,
    remaining: Count,
  }),
  pong: v.strictObject({ t: v.literal('pong'), ref, ts: Timestamp }),
  error: v.strictObject({
    t: v.literal('error'),
    ref,
    code: v.picklist(ERROR_CODE_LIST),
    message: Message,
  }),
} as const;

export type RelayMessageType = keyof typeof RelayMessageSchemas;
export type RelayMessageOf<T extends RelayMessageType> = v.InferOutput<
  (typeof RelayMessageSchemas)[T]
>;
export type RelayMessage = { [T in RelayMessageType]: RelayMessageOf<T> }[RelayMessageType];

export const RelayMessageSchema = v.variant(
  't',
  Object.values(RelayMessageSchemas) as unknown as [
    (typeof RelayMessageSchemas)[RelayMessageType],
    ...(typeof RelayMessageSchemas)[RelayMessageType][],
  ],
);
