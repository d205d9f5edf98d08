/**
 * The chat event model (ARCHITECTURE.md "Events"): every chat item is an
 * event authored by one device. Schemas are strict (unknown keys rejected)
 * and every string and list is bounded, because events arrive from other
 * members, who are outside our trust boundary.
 */
import * as v from 'valibot';

/** Tuning limits, in UTF-16 code units or items. */
export const EVENT_LIMITS = {
  textChars: 16_000,
  emojiChars: 32,
  receiptTargets: 256,
  mentions: 32,
  usernameChars: 32,
  convIdChars: 64,
  /** base64url of an encoded file offer (shared/crypto/files.ts: at most 512 + name + mime bytes). */
  fileOfferChars: 2_400,
} as const;

export const EVENT_VERSION = 1;

const b64url = (bytes: number) =>
  v.pipe(v.string(), v.length(Math.ceil((bytes * 4) / 3)), v.regex(/^[A-Za-z0-9_-]+$/));

/** 16 random bytes, base64url: unique per author, de-duplicates copies. */
export const EventIdSchema = b64url(16);
export const DeviceIdSchema = b64url(16);
export const PublicKeySchema = b64url(32);
export const ConversationIdSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(EVENT_LIMITS.convIdChars),
  v.regex(/^[A-Za-z0-9_.:-]+$/),
);
const UsernameSchema = v.pipe(
  v.string(),
  v.minLength(3),
  v.maxLength(EVENT_LIMITS.usernameChars),
  v.regex(/^[a-z0-9_.-]+$/),
);
const TextSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(EVENT_LIMITS.textChars));
const NonNegativeInt = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 53 - 1));

export const TextBodySchema = v.strictObject({
  type: v.literal('text'),
  /** Markdown-subset source; rendered by the UI without innerHTML. */
  text: TextSchema,
  replyTo: v.optional(EventIdSchema),
  mentions: v.optional(v.pipe(v.array(UsernameSchema), v.maxLength(EVENT_LIMITS.mentions))),
});

export const EditBodySchema = v.strictObject({
  type: v.literal('edit'),
  target: EventIdSchema,
  text: TextSchema,
});

export const DeleteBodySchema = v.strictObject({
  type: v.literal('delete'),
  target: EventIdSchema,
});

export const ReactionBodySchema = v.strictObject({
  type: v.literal('reaction'),
  target: EventIdSchema,
  emoji: v.pipe(v.string(), v.minLength(1), v.maxLength(EVENT_LIMITS.emojiChars)),
  /** false withdraws an earlier reaction with the same emoji. */
  on: v.boolean(),
});

export const ReceiptBodySchema = v.strictObject({
  type: v.literal('receipt'),
  kind: v.picklist(['delivered', 'read']),
  targets: v.pipe(v.array(EventIdSchema), v.minLength(1), v.maxLength(EVENT_LIMITS.receiptTargets)),
});

/** Ephemeral: shown for a few seconds, never stored or resent. */
export const TypingBodySchema = v.strictObject({
  type: v.literal('typing'),
  on: v.boolean(),
});

/**
 * A file shared in the conversation: the encoded offer (name, type, size,
 * hash, fileKey; shared/crypto/files.ts). The fileKey is secret, which is
 * fine here: events are end-to-end encrypted and encrypted at rest.
 */
export const FileBodySchema = v.strictObject({
  type: v.literal('file'),
  offer: v.pipe(
    v.string(),
    v.minLength(1),
    v.maxLength(EVENT_LIMITS.fileOfferChars),
    v.regex(/^[A-Za-z0-9_-]+$/),
  ),
});

export const EventBodySchema = v.variant('type', [
  FileBodySchema,
  TextBodySchema,
  EditBodySchema,
  DeleteBodySchema,
  ReactionBodySchema,
  ReceiptBodySchema,
  TypingBodySchema,
]);

export const ChatEventSchema = v.strictObject({
  v: v.literal(EVENT_VERSION),
  id: EventIdSchema,
  /** Room id or DM conversation id. */
  conv: ConversationIdSchema,
  /** Author's identity key and device: checked against the verified signer. */
  authorIk: PublicKeySchema,
  authorDevice: DeviceIdSchema,
  lamport: NonNegativeInt,
  /** Author's wall clock, ms since epoch: a tie-breaker and a display hint only. */
  ts: NonNegativeInt,
  body: EventBodySchema,
});

export type EventBody = v.InferOutput<typeof EventBodySchema>;
export type EventType = EventBody['type'];
export type ChatEvent = v.InferOutput<typeof ChatEventSchema>;
export type BodyOf<T extends EventType> = Extract<EventBody, { type: T }>;

/** Event types that are not stored, acked or resent. */
export const EPHEMERAL_EVENT_TYPES: ReadonlySet<EventType> = new Set(['typing']);
