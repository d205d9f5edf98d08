/**
 * Verifying and folding a room's membership chain. Each entry is signed by
 * the acting device (its cert, carried along, chains to the acting identity
 * key) and names the link hash of the entry before it, so a relay can
 * neither forge an entry, nor drop, reorder or splice entries, nor slip in a
 * member nobody admitted. The fold is pure: any member, given the same
 * entries, reaches the same state or the same refusal.
 *
 * Authority (CRYPTO.md): the creator is the owner; only owners and admins
 * invite, kick, ban and unban; an admin cannot act on the owner or on another
 * admin; only the owner changes roles; the owner cannot leave; a banned
 * identity cannot join; a private room is joined with an invite's secret;
 * only the owner changes the room's history setting. Timestamps never go
 * backwards along the chain, so a joiner cannot date its join (and with it
 * what "history from join on" lets it read) before the entry it follows.
 */
import * as v from 'valibot';
import { DOMAIN } from '../crypto/constants.ts';
import { frame, fromB64, fromUtf8, toB64, utf8 } from '../crypto/encoding.ts';
import { type DeviceCert, verifyDeviceCert } from '../crypto/keys.ts';
import { fail, ok, type Result } from '../crypto/result.ts';
import { sodium } from '../crypto/sodium.ts';
import { removalVerdict } from './membership-fork.ts';
import {
  type MemberRole,
  type MembershipEntry,
  MembershipEntrySchema,
  type MembershipOp,
  type RoomHistory,
} from './membership-schema.ts';

/** One stretch of membership: from the join (or create) to the removal, if any. */
export interface Tenure {
  from: number;
  to: number | null;
}

export interface SignedEntry {
  /** UTF-8 JSON of a MembershipEntry, exactly as signed. */
  bytes: Uint8Array;
  sig: Uint8Array;
  /** The signing device's cert: its IK must be the entry's `by`. */
  cert: DeviceCert;
}

export interface MembershipState {
  room: string;
  name: string;
  visibility: 'public' | 'private';
  /** What a new member may backfill. */
  history: RoomHistory;
  owner: string;
  /** Identity key (base64url) → role, for every current member. */
  roles: ReadonlyMap<string, MemberRole>;
  banned: ReadonlySet<string>;
  /** Invite hash → expiry (ms). */
  invites: ReadonlyMap<string, number>;
  /** Leaves, kicks and bans so far: each one starts a new sender-key epoch. */
  removals: number;
  /** Identity key → every stretch it was a member, oldest first (entry timestamps). */
  tenure: ReadonlyMap<string, readonly Tenure[]>;
  head: { seq: number; hash: string; ts: number };
}

export type ChainError =
  | 'CHAIN_EMPTY'
  | 'CHAIN_MALFORMED'
  | 'CHAIN_BAD_CERT'
  | 'CHAIN_BAD_SIGNATURE'
  | 'CHAIN_BROKEN'
  | 'CHAIN_WRONG_ROOM'
  | 'CHAIN_FORBIDDEN';

/** A fold's outcome: the state, or why and where the chain was refused. */
export type FoldResult =
  | { ok: true; value: MembershipState }
  /** `at`: index of the first entry refused. */
  | { ok: false; code: ChainError; at: number };

const MAX_ENTRY_BYTES = 4 * 1024;

export function signEntry(
  entry: MembershipEntry,
  signer: { dkSecret: Uint8Array; cert: DeviceCert },
): SignedEntry {
  const checked = v.parse(MembershipEntrySchema, entry);
  const bytes = utf8(JSON.stringify(checked));
  const sig = sodium().crypto_sign_detached(frame(DOMAIN.membership, bytes), signer.dkSecret);
  return { bytes, sig, cert: signer.cert };
}

/** What the next entry links to. */
export function linkHash(signed: SignedEntry): string {
  return toB64(
    sodium().crypto_generichash(32, frame(DOMAIN.membershipLink, signed.bytes, signed.sig), null),
  );
}

/** What an `invite` entry publishes for a secret handed out of band. */
export function inviteHash(secret: Uint8Array): string {
  return toB64(sodium().crypto_generichash(32, frame(DOMAIN.invite, secret), null));
}

/** Checks one entry in isolation: cert, signature, shape. Never throws. */
export function verifyEntry(signed: SignedEntry): Result<MembershipEntry, ChainError> {
  if (signed.bytes.length > MAX_ENTRY_BYTES) return fail('CHAIN_MALFORMED');
  if (!verifyDeviceCert(signed.cert)) return fail('CHAIN_BAD_CERT');
  const s = sodium();
  if (
    signed.sig.length !== s.crypto_sign_BYTES ||
    !s.crypto_sign_verify_detached(
      signed.sig,
      frame(DOMAIN.membership, signed.bytes),
      signed.cert.dkPk,
    )
  ) {
    return fail('CHAIN_BAD_SIGNATURE');
  }
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(signed.bytes));
  } catch {
    return fail('CHAIN_MALFORMED');
  }
  const parsed = v.safeParse(MembershipEntrySchema, json);
  if (!parsed.success) return fail('CHAIN_MALFORMED');
  const entry = parsed.output;
  if (entry.by !== toB64(signed.cert.ikPk) || entry.byDevice !== signed.cert.deviceId) {
    return fail('CHAIN_BAD_CERT');
  }
  return ok(entry);
}

/** Folds a whole chain from its first entry. */
export function foldChain(room: string, chain: readonly SignedEntry[]): FoldResult {
  let state: MembershipState | null = null;
  for (let i = 0; i < chain.length; i++) {
    const next = applyEntry(room, state, chain[i]!);
    if (!next.ok) return { ok: false, code: next.code, at: i };
    state = next.value;
  }
  return state ? { ok: true, value: state } : { ok: false, code: 'CHAIN_EMPTY', at: 0 };
}

/** Applies one more entry to a state (null: the chain's first entry). */
export function applyEntry(
  room: string,
  state: MembershipState | null,
  signed: SignedEntry,
): Result<MembershipState, ChainError> {
  const verified = verifyEntry(signed);
  if (!verified.ok) return verified;
  const entry = verified.value;
  if (entry.room !== room) return fail('CHAIN_WRONG_ROOM');
  const expectedSeq = state ? state.head.seq + 1 : 0;
  const expectedPrev = state ? state.head.hash : null;
  if (entry.seq !== expectedSeq || entry.prev !== expectedPrev) return fail('CHAIN_BROKEN');
  if (state && entry.ts < state.head.ts) return fail('CHAIN_BROKEN');
  const head = { seq: entry.seq, hash: linkHash(signed), ts: entry.ts };
  if (!state) {
    if (entry.body.op !== 'create') return fail('CHAIN_FORBIDDEN');
    return ok({
      room,
      name: entry.body.name,
      visibility: entry.body.visibility,
      history: entry.body.history ?? 'shared',
      owner: entry.by,
      roles: new Map([[entry.by, 'owner']]),
      banned: new Set(),
      invites: new Map(),
      removals: 0,
      tenure: new Map([[entry.by, [{ from: entry.ts, to: null }]]]),
      head,
    });
  }
  const next = applyOp(state, entry.by, entry.ts, entry.body);
  return next
    ? ok({ ...next, tenure: nextTenure(state, next, entry.ts), head })
    : fail('CHAIN_FORBIDDEN');
}

/** Opens a stretch for whoever became a member, closes it for whoever stopped. */
function nextTenure(
  before: MembershipState,
  after: MembershipState,
  ts: number,
): ReadonlyMap<string, readonly Tenure[]> {
  let tenure: Map<string, readonly Tenure[]> | null = null;
  const edit = () => {
    tenure ??= new Map(before.tenure);
    return tenure;
  };
  for (const ik of after.roles.keys()) {
    if (!before.roles.has(ik))
      edit().set(ik, [...(before.tenure.get(ik) ?? []), { from: ts, to: null }]);
  }
  for (const ik of before.roles.keys()) {
    if (after.roles.has(ik)) continue;
    const stretches = before.tenure.get(ik) ?? [];
    const last = stretches.at(-1);
    if (last) edit().set(ik, [...stretches.slice(0, -1), { from: last.from, to: ts }]);
  }
  return tenure ?? before.tenure;
}

/** The op's effect, or null when the actor may not do it. */
function applyOp(
  s: MembershipState,
  by: string,
  ts: number,
  op: MembershipOp,
): MembershipState | null {
  const actor = s.roles.get(by);
  const moderator = actor === 'owner' || actor === 'admin';
  const roles = new Map(s.roles);
  switch (op.op) {
    case 'create':
      return null;
    case 'join': {
      if (actor || s.banned.has(by)) return null;
      if (s.visibility === 'private') {
        const expires = op.inviteSecret
          ? s.invites.get(inviteHashOfText(op.inviteSecret))
          : undefined;
        if (expires === undefined || ts > expires) return null;
      }
      roles.set(by, 'member');
      return { ...s, roles };
    }
    case 'invite': {
      if (!moderator) return null;
      return { ...s, invites: new Map(s.invites).set(op.inviteHash, op.expiresTs) };
    }
    case 'leave': {
      if (!actor || actor === 'owner') return null;
      roles.delete(by);
      return { ...s, roles, removals: s.removals + 1 };
    }
    case 'kick':
    case 'ban':
    case 'unban': {
      if (!moderator) return null;
      const target = s.roles.get(op.subject);
      // Nobody acts on the owner; admins act only on plain members.
      if (target === 'owner' || (actor === 'admin' && target === 'admin') || op.subject === by)
        return null;
      if (op.op === 'kick') {
        if (!target) return null;
        roles.delete(op.subject);
        return { ...s, roles, removals: s.removals + 1 };
      }
      if (op.op === 'ban') {
        roles.delete(op.subject);
        return {
          ...s,
          roles,
          banned: new Set(s.banned).add(op.subject),
          removals: s.removals + (target ? 1 : 0),
        };
      }
      if (!s.banned.has(op.subject)) return null;
      const banned = new Set(s.banned);
      banned.delete(op.subject);
      return { ...s, banned };
    }
    case 'history': {
      if (actor !== 'owner') return null;
      return { ...s, history: op.history };
    }
    case 'role': {
      if (actor !== 'owner') return null;
      const target = s.roles.get(op.subject);
      if (!target || target === 'owner') return null;
      roles.set(op.subject, op.role);
      return { ...s, roles };
    }
  }
}

/** The hash a join's base64url secret must match; '' for a malformed secret. */
function inviteHashOfText(secretB64: string): string {
  try {
    const secret = fromB64(secretB64);
    return secret.length === 32 ? inviteHash(secret) : '';
  } catch {
    return '';
  }
}

/** The next entry after `state` (fills room, seq and prev; `ts` is raised to the head's). */
export function nextEntry(
  state: MembershipState,
  by: string,
  byDevice: string,
  ts: number,
  body: MembershipOp,
): MembershipEntry {
  return {
    v: 1,
    room: state.room,
    seq: state.head.seq + 1,
    prev: state.head.hash,
    by,
    byDevice,
    // Never before the head: a clock behind the last actor's must not make the entry invalid.
    ts: Math.max(ts, state.head.ts),
    body,
  };
}

/**
 * Two valid chains of the same room that diverge (two admins acted at once),
 * compared from the first entry where they differ:
 * 1. a branch that kicks, bans or demotes someone who wrote entries on the
 *    other branch wins (membership-fork.ts: otherwise an admin being removed
 *    out-writes the removal on a longer branch from before it);
 * 2. when neither or both do: the longer wins; at equal length, the one whose
 *    first differing entry has the lower link hash.
 * Every member picks the same; the loser's author re-signs its change on the
 * winning head (refused there if it lost the right to make it).
 */
export function preferChain(a: readonly SignedEntry[], b: readonly SignedEntry[]): 'a' | 'b' {
  const shorter = Math.min(a.length, b.length);
  let fork = 0;
  let hashA = '';
  let hashB = '';
  for (; fork < shorter; fork++) {
    hashA = linkHash(a[fork]!);
    hashB = linkHash(b[fork]!);
    if (hashA !== hashB) break;
  }
  if (fork < shorter) {
    const verdict = removalVerdict(a.slice(fork), b.slice(fork));
    if (verdict) return verdict;
  }
  if (a.length !== b.length) return a.length > b.length ? 'a' : 'b';
  if (fork < shorter) return hashA < hashB ? 'a' : 'b';
  return 'a';
}

export function roleOf(state: MembershipState, ik: string): MemberRole | null {
  return state.roles.get(ik) ?? null;
}

/**
 * Whether `ik` was a member at time `ts` (by the chain's entry timestamps),
 * give or take `slackMs` for clocks that differ.
 */
export function wasMemberAt(state: MembershipState, ik: string, ts: number, slackMs = 0): boolean {
  return (state.tenure.get(ik) ?? []).some(
    (t) => ts + slackMs >= t.from && (t.to === null || ts - slackMs < t.to),
  );
}

/** When `ik`'s current membership began (its latest join), or null if not a member. */
export function memberSince(state: MembershipState, ik: string): number | null {
  if (!state.roles.has(ik)) return null;
  return state.tenure.get(ik)?.at(-1)?.from ?? null;
}
