/**
 * Events are signed by their author's device key over the exact bytes that
 * travel; receivers verify those bytes before parsing them. Signing bytes
 * rather than a re-serialised object means there is no canonical-JSON
 * question: a verifier never re-encodes.
 */
import * as v from 'valibot';
import { DOMAIN } from '../crypto/constants.ts';
import { frame, fromUtf8, toB64, utf8 } from '../crypto/encoding.ts';
import { deviceIdOf } from '../crypto/keys.ts';
import { randomBytes } from '../crypto/random.ts';
import { fail, ok, type Result } from '../crypto/result.ts';
import { sodium } from '../crypto/sodium.ts';
import { type ChatEvent, ChatEventSchema } from './event-schema.ts';

export interface SignedEvent {
  /** UTF-8 JSON of a ChatEvent, exactly as the author signed it. */
  bytes: Uint8Array;
  /** Ed25519 over frame(DOMAIN.event, bytes) by the author's device key. */
  sig: Uint8Array;
}

export type EventError =
  | 'EVENT_TOO_LARGE'
  | 'EVENT_BAD_SIGNATURE'
  | 'EVENT_MALFORMED'
  | 'EVENT_WRONG_AUTHOR';

/** The crypto core's Result shape, so the engine handles one kind of outcome. */
export type VerifiedEvent = Result<ChatEvent, EventError>;

/** Bigger than any valid event (16 000 chars of text × up to 3 UTF-8 bytes, plus fields). */
export const MAX_EVENT_BYTES = 64 * 1024;

export function signEvent(event: ChatEvent, deviceSecretKey: Uint8Array): SignedEvent {
  // Validate our own output too: a bug must not produce events peers drop.
  const checked = v.parse(ChatEventSchema, event);
  const bytes = utf8(JSON.stringify(checked));
  if (bytes.length > MAX_EVENT_BYTES) throw new RangeError('parley/events: event too large');
  const sig = sodium().crypto_sign_detached(frame(DOMAIN.event, bytes), deviceSecretKey);
  return { bytes, sig };
}

/**
 * Verifies the signature with the device key we know for the sender (from
 * the link handshake or its certificate), then parses strictly, then checks
 * the event names that device and identity as its author.
 */
export function verifyEvent(
  signed: SignedEvent,
  signer: { dkPk: Uint8Array; ikB64: string },
): VerifiedEvent {
  const { bytes, sig } = signed;
  if (!(bytes instanceof Uint8Array) || !(sig instanceof Uint8Array)) {
    return fail('EVENT_MALFORMED');
  }
  if (bytes.length > MAX_EVENT_BYTES) return fail('EVENT_TOO_LARGE');
  const s = sodium();
  if (
    sig.length !== s.crypto_sign_BYTES ||
    signer.dkPk.length !== s.crypto_sign_PUBLICKEYBYTES ||
    !s.crypto_sign_verify_detached(sig, frame(DOMAIN.event, bytes), signer.dkPk)
  ) {
    return fail('EVENT_BAD_SIGNATURE');
  }
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(bytes));
  } catch {
    return fail('EVENT_MALFORMED');
  }
  const parsed = v.safeParse(ChatEventSchema, json);
  if (!parsed.success) return fail('EVENT_MALFORMED');
  const event = parsed.output;
  if (event.authorDevice !== deviceIdOf(signer.dkPk) || event.authorIk !== signer.ikB64) {
    return fail('EVENT_WRONG_AUTHOR');
  }
  return ok(event);
}

/** 16 bytes from the platform CSPRNG (random.ts: libsodium.js's RNG is slow per call). */
export function newEventId(): string {
  return toB64(randomBytes(16));
}
