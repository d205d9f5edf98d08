/**
 * The fork rule's first question (`preferChain`, membership-chain.ts): did
 * one branch take away the power of someone who kept acting on the other?
 *
 * The attack it stops (the "long fork"): an admin about to be kicked, or
 * demoted, keeps signing entries on a branch from before that change. If the
 * longer branch simply won, that admin could out-write the kick forever, and
 * every member would follow the branch where the admin still rules. So a
 * branch that removes or demotes an actor (kick, ban, role → member) beats a
 * concurrent branch holding entries that actor wrote after the fork point:
 * what someone signed while being removed does not outweigh the removal.
 *
 * Only the entries after the fork are read, and only their shape: the rule
 * decides which branch is worth folding, the fold (applyEntry) still checks
 * every signature and right, so a branch that claims removals it may not
 * make wins the comparison and is then refused whole.
 *
 * Removals signed by someone the other branch removes are not counted (see
 * removesAnAuthorOf): mutual removals between two people with the power to
 * make them cancel out and the length-then-hash rule decides.
 */
import * as v from 'valibot';
import { fromUtf8 } from '../crypto/encoding.ts';
import { type MembershipEntry, MembershipEntrySchema } from './membership-schema.ts';

/** The part of a signed entry this rule reads (membership-chain.ts's SignedEntry). */
interface EntryBytes {
  bytes: Uint8Array;
}

/**
 * Which branch (each the entries after the common prefix) dominates the other
 * by the removal rule; null when neither does, or both do (mutual removals:
 * the caller's length-then-hash rule decides, the same on every member).
 */
export function removalVerdict(
  a: readonly EntryBytes[],
  b: readonly EntryBytes[],
): 'a' | 'b' | null {
  const entriesA = a.map(readEntry);
  const entriesB = b.map(readEntry);
  const removedA = removals(entriesA);
  const removedB = removals(entriesB);
  const aWins = removesAnAuthorOf(removedA, removedB, entriesB);
  const bWins = removesAnAuthorOf(removedB, removedA, entriesA);
  if (aWins === bWins) return null;
  return aWins ? 'a' : 'b';
}

interface Removal {
  subject: string;
  by: string;
}

/**
 * Whether a removal on one branch hits someone who wrote on the other.
 * Removals signed by someone the other branch removes do not count: the
 * admin being kicked could otherwise ban a bystander who wrote on the
 * kicking branch (a join, a leave), make both branches "dominate", and fall
 * back to the length rule it can out-write.
 */
function removesAnAuthorOf(
  mine: readonly Removal[],
  theirs: readonly Removal[],
  other: ReadonlyArray<MembershipEntry | null>,
): boolean {
  const removedByOther = new Set(theirs.map((r) => r.subject));
  const hit = new Set(mine.filter((r) => !removedByOther.has(r.by)).map((r) => r.subject));
  if (hit.size === 0) return false;
  return other.some((entry) => entry !== null && hit.has(entry.by));
}

/** Who a branch removes from power (kick, ban, role → member), and who did it. */
function removals(branch: ReadonlyArray<MembershipEntry | null>): Removal[] {
  const out: Removal[] = [];
  for (const entry of branch) {
    if (!entry) continue;
    const body = entry.body;
    if (body.op === 'kick' || body.op === 'ban') out.push({ subject: body.subject, by: entry.by });
    else if (body.op === 'role' && body.role === 'member')
      out.push({ subject: body.subject, by: entry.by });
  }
  return out;
}

/** The entry's content, or null when it is not one (the fold will refuse it anyway). */
function readEntry(signed: EntryBytes): MembershipEntry | null {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(signed.bytes));
  } catch {
    return null;
  }
  const parsed = v.safeParse(MembershipEntrySchema, json);
  return parsed.success ? parsed.output : null;
}
