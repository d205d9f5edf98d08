/**
 * Every JSON control message a client may send to the relay. Each is a strict
 * object (extra keys rejected) with a literal `t` and an optional `ref` that
 * the relay echoes in its reply or error.
 */
import * as v from 'valibot';
import {
  AssignableRole,
  ChallengeWire,
  Count,
  DeviceCertSchema,
  DeviceId,
  InviteCode,
  KdfParams,
  LIMITS,
  PublicKey,
  Ref,
  RoomId,
  RoomName,
  Salt,
  SecretBlob,
  SecretKind,
  Signature,
  SignedPrekeySchema,
  U32,
  UserId,
  Username,
  Visibility,
} from './fields.ts';

const ref = v.optional(Ref);

export const ClientMessageSchemas = {
  /** First message: the protocol version the client speaks. */
  hello: v.strictObject({ t: v.literal('hello'), ref, v: U32 }),
  /** A fresh login challenge (each one verifies once). */
  'challenge.new': v.strictObject({ t: v.literal('challenge.new'), ref }),
  /** New user: username, IK (in the cert), first device and its signed prekey. */
  register: v.strictObject({
    t: v.literal('register'),
    ref,
    username: Username,
    cert: DeviceCertSchema,
    spk: SignedPrekeySchema,
    challenge: ChallengeWire,
    sig: Signature,
  }),
  /** Existing device: the relay challenge signed with DK. */
  login: v.strictObject({
    t: v.literal('login'),
    ref,
    cert: DeviceCertSchema,
    challenge: ChallengeWire,
    sig: Signature,
  }),
  /** A new device certified by a registered IK; logs the socket in as it. */
  'device.add': v.strictObject({
    t: v.literal('device.add'),
    ref,
    cert: DeviceCertSchema,
    spk: SignedPrekeySchema,
    challenge: ChallengeWire,
    sig: Signature,
  }),
  /** Salt and KDF parameters for a username (fake but stable when unknown). */
  prelogin: v.strictObject({ t: v.literal('prelogin'), ref, username: Username }),
  /** Release a wrapped identity blob: the challenge signed with the auth key. */
  'blob.fetch': v.strictObject({
    t: v.literal('blob.fetch'),
    ref,
    username: Username,
    kind: SecretKind,
    challenge: ChallengeWire,
    sig: Signature,
  }),
  /** Set or change the password account (replaces authPk, salt, params, blob). */
  'password.set': v.strictObject({
    t: v.literal('password.set'),
    ref,
    authPk: PublicKey,
    salt: Salt,
    kdf: KdfParams,
    blob: SecretBlob,
  }),
  /** Set or replace the recovery-key copy of the blob. */
  'recovery.set': v.strictObject({
    t: v.literal('recovery.set'),
    ref,
    authPk: PublicKey,
    blob: SecretBlob,
  }),
  /** A user's IK, devices and prekeys: exactly one of username or userId. */
  'keys.get': v.strictObject({
    t: v.literal('keys.get'),
    ref,
    username: v.optional(Username),
    userId: v.optional(UserId),
  }),
  /** Replace this device's signed prekey. */
  'prekey.rotate': v.strictObject({ t: v.literal('prekey.rotate'), ref, spk: SignedPrekeySchema }),
  'room.create': v.strictObject({
    t: v.literal('room.create'),
    ref,
    name: RoomName,
    visibility: Visibility,
  }),
  'room.join': v.strictObject({
    t: v.literal('room.join'),
    ref,
    roomId: RoomId,
    invite: v.optional(InviteCode),
  }),
  'room.leave': v.strictObject({ t: v.literal('room.leave'), ref, roomId: RoomId }),
  'room.list': v.strictObject({ t: v.literal('room.list'), ref }),
  'room.public': v.strictObject({ t: v.literal('room.public'), ref }),
  'room.members': v.strictObject({ t: v.literal('room.members'), ref, roomId: RoomId }),
  /** A new invite code (owner/admin); the relay keeps only its hash. */
  'room.invite': v.strictObject({ t: v.literal('room.invite'), ref, roomId: RoomId }),
  'room.kick': v.strictObject({ t: v.literal('room.kick'), ref, roomId: RoomId, userId: UserId }),
  'room.ban': v.strictObject({ t: v.literal('room.ban'), ref, roomId: RoomId, userId: UserId }),
  'room.unban': v.strictObject({ t: v.literal('room.unban'), ref, roomId: RoomId, userId: UserId }),
  'room.role': v.strictObject({
    t: v.literal('room.role'),
    ref,
    roomId: RoomId,
    userId: UserId,
    role: AssignableRole,
  }),
  'room.delete': v.strictObject({ t: v.literal('room.delete'), ref, roomId: RoomId }),
  /** Allow DMs with a user (both directions) unless they blocked us. */
  'dm.open': v.strictObject({ t: v.literal('dm.open'), ref, username: Username }),
  /**
   * The caller's DM partners (opened by either side, neither blocked), so a
   * new device can reopen them; names only, keys still come from keys.get.
   */
  'dm.list': v.strictObject({ t: v.literal('dm.list'), ref }),
  /** Refuse DMs (and DM signalling) from a user. */
  'dm.block': v.strictObject({ t: v.literal('dm.block'), ref, username: Username }),
  /**
   * SDP or ICE for one device; opaque to the relay. Answered with `ok` only
   * when it carries a ref (trickle ICE need not wait); errors always come.
   */
  signal: v.strictObject({
    t: v.literal('signal'),
    ref,
    to: DeviceId,
    data: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.signalDataMaxChars)),
  }),
  /** Resend every unacknowledged mailbox item (a batch). */
  'mailbox.fetch': v.strictObject({ t: v.literal('mailbox.fetch'), ref }),
  'mailbox.ack': v.strictObject({
    t: v.literal('mailbox.ack'),
    ref,
    ids: v.pipe(v.array(Count), v.minLength(1), v.maxLength(LIMITS.mailboxAckMaxIds)),
  }),
  /** Round trip for liveness and latency. */
  ping: v.strictObject({ t: v.literal('ping'), ref }),
} as const;

export type ClientMessageType = keyof typeof ClientMessageSchemas;
export type ClientMessageOf<T extends ClientMessageType> = v.InferOutput<
  (typeof ClientMessageSchemas)[T]
>;
export type ClientMessage = { [T in ClientMessageType]: ClientMessageOf<T> }[ClientMessageType];

/**
 * A client message without its `ref`, for engines that assign refs
 * themselves. Distributes over the union (a plain `Omit<ClientMessage, 'ref'>`
 * would keep only the keys every message shares).
 */
export type ClientRequest = ClientMessage extends infer M
  ? M extends unknown
    ? Omit<M, 'ref'>
    : never
  : never;

/** The union as one schema, for consumers that want it (the relay dispatches by `t`). */
export const ClientMessageSchema = v.variant(
  't',
  Object.values(ClientMessageSchemas) as unknown as [
    (typeof ClientMessageSchemas)[ClientMessageType],
    ...(typeof ClientMessageSchemas)[ClientMessageType][],
  ],
);

/** Types a socket may send before it has logged in. */
export const PRE_AUTH_TYPES: ReadonlySet<ClientMessageType> = new Set<ClientMessageType>([
  'hello',
  'challenge.new',
  'register',
  'login',
  'device.add',
  'prelogin',
  'blob.fetch',
  'ping',
]);
