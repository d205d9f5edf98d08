/**
 * Signed membership entries on the wire and at rest: one framed run of
 * (entry bytes, signature, device cert) triples. Whoever hands us entries —
 * a member over a link, the relay's mailbox, our own disk — is outside input:
 * decoding never throws and refuses anything off-shape; the fold
 * (shared/events/membership-chain.ts) then checks every signature and rule.
 */
import { frame, unframe } from '../../shared/crypto/encoding.ts';
import type { SignedEntry } from '../../shared/events/membership-chain.ts';
import { decodeCert, encodeCert } from './cert-cache.ts';

export const ROOM_CHAIN_LIMITS = {
  /** A room's whole chain; beyond it entries are refused (a year of heavy moderation). */
  maxEntries: 10_000,
  /** Entries per link message: ~700 bytes each keeps a run well under the batch limit. */
  entriesPerMessage: 200,
  /** Entries in the mailbox copy of a change: enough to bridge a short absence. */
  entriesPerMail: 16,
  /**
   * An entry dated further ahead of our clock is not taken in (yet): the
   * chain's times only go forward, so one far-future entry would date every
   * later join after every message, and starve backfill.
   */
  maxFutureSkewMs: 10 * 60_000,
} as const;

const SIGNATURE_BYTES = 64;

export function encodeEntries(entries: readonly SignedEntry[]): Uint8Array {
  return frame(...entries.flatMap((e) => [e.bytes, e.sig, encodeCert(e.cert)]));
}

/** The entries, or null when the run is malformed or longer than `maxEntries`. */
export function decodeEntries(
  bytes: Uint8Array,
  maxEntries: number = ROOM_CHAIN_LIMITS.maxEntries,
): SignedEntry[] | null {
  let fields: Uint8Array[];
  try {
    fields = unframe(bytes);
  } catch {
    return null;
  }
  if (fields.length % 3 !== 0 || fields.length / 3 > maxEntries) return null;
  const entries: SignedEntry[] = [];
  for (let i = 0; i < fields.length; i += 3) {
    const sig = fields[i + 1]!;
    const cert = decodeCert(fields[i + 2]!);
    if (!cert || sig.length !== SIGNATURE_BYTES) return null;
    entries.push({ bytes: fields[i]!.slice(), sig: sig.slice(), cert });
  }
  return entries;
}
