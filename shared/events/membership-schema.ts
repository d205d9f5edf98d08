/**
 * Room membership as signed, hash-chained entries (CRYPTO.md "Rooms: sender
 * keys": changes are signed by an owner or admin and hash-chained, so the
 * relay cannot forge, drop or reorder them). The relay's member list decides
 * routing; this chain decides who gets a room's keys and whose words count.
 */
import * as v from 'valibot';
import { ConversationIdSchema, DeviceIdSchema, PublicKeySchema } from './event-schema.ts';

export const MEMBERSHIP_VERSION = 1;

const Hash = v.pipe(v.string(), v.length(43), v.regex(/^[A-Za-z0-9_-]+$/));
const Ms = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 53 - 1));

/**
 * What a new member may backfill (issue #4 item 7): everything before it
 * joined (`shared`), or only what was written from its join on (`since-join`).
 */
export const RoomHistorySchema = v.picklist(['shared', 'since-join']);

export const MembershipOpSchema = v.variant('op', [
  /** seq 0 only: the signer becomes the owner. */
  v.strictObject({
    op: v.literal('create'),
    name: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
    visibility: v.picklist(['public', 'private']),
    /** Absent: `shared`. */
    history: v.optional(RoomHistorySchema),
  }),
  /** Self: a public room, or a private one with the secret behind an invite. */
  v.strictObject({ op: v.literal('join'), inviteSecret: v.optional(Hash) }),
  /** Owner or admin: publishes the hash of an invite secret, valid until `expiresTs`. */
  v.strictObject({ op: v.literal('invite'), inviteHash: Hash, expiresTs: Ms }),
  /** Self (not the owner). */
  v.strictObject({ op: v.literal('leave') }),
  v.strictObject({ op: v.literal('kick'), subject: PublicKeySchema }),
  v.strictObject({ op: v.literal('ban'), subject: PublicKeySchema }),
  v.strictObject({ op: v.literal('unban'), subject: PublicKeySchema }),
  /** Owner only: the room's history setting from here on. */
  v.strictObject({ op: v.literal('history'), history: RoomHistorySchema }),
  /** Owner only. */
  v.strictObject({
    op: v.literal('role'),
    subject: PublicKeySchema,
    role: v.picklist(['admin', 'member']),
  }),
]);

export const MembershipEntrySchema = v.strictObject({
  v: v.literal(MEMBERSHIP_VERSION),
  room: ConversationIdSchema,
  seq: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1_000_000)),
  /** Link hash of the previous entry; null exactly at seq 0. */
  prev: v.nullable(Hash),
  /** The acting identity key and the device that signed. */
  by: PublicKeySchema,
  byDevice: DeviceIdSchema,
  ts: Ms,
  body: MembershipOpSchema,
});

export type MembershipOp = v.InferOutput<typeof MembershipOpSchema>;
export type MembershipEntry = v.InferOutput<typeof MembershipEntrySchema>;
export type MemberRole = 'owner' | 'admin' | 'member';
export type RoomHistory = v.InferOutput<typeof RoomHistorySchema>;
