import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';
import {
  foldChain,
  linkHash,
  preferChain,
  type SignedEntry,
  signEntry,
} from '../../../../shared/events/membership-chain.ts';
import type { MembershipOp } from '../../../../shared/events/membership-schema.ts';
import { type TestDevice, testDevice } from '../../../support/identities.ts';

beforeAll(async () => {
  await loadSodium();
});

const ROOM = 'room-fork';
const ik = (d: TestDevice) => toB64(d.identity.publicKey);

/** Signs `body` by `actor` on top of `entries` (linked and numbered; the fold's rules not applied). */
function extend(entries: readonly SignedEntry[], actor: TestDevice, body: MembershipOp) {
  const last = entries.at(-1);
  const signed = signEntry(
    {
      v: 1,
      room: ROOM,
      seq: entries.length,
      prev: last ? linkHash(last) : null,
      by: ik(actor),
      byDevice: actor.deviceId,
      ts: 1_000 + entries.length,
      body,
    },
    { dkSecret: actor.dk.privateKey, cert: actor.cert },
  );
  return [...entries, signed];
}

function run(start: readonly SignedEntry[], steps: Array<[TestDevice, MembershipOp]>) {
  let entries = [...start];
  for (const [actor, body] of steps) entries = extend(entries, actor, body);
  return entries;
}

const valid = (entries: readonly SignedEntry[]) => foldChain(ROOM, entries).ok;

/** Owner, two admins and two members, all folded valid. */
function room() {
  const [owner, xena, yuri, mia, ned] = Array.from({ length: 5 }, () => testDevice()) as [
    TestDevice,
    TestDevice,
    TestDevice,
    TestDevice,
    TestDevice,
  ];
  const base = run(
    [],
    [
      [owner, { op: 'create', name: 'r', visibility: 'public' }],
      [xena, { op: 'join' }],
      [yuri, { op: 'join' }],
      [mia, { op: 'join' }],
      [ned, { op: 'join' }],
      [owner, { op: 'role', subject: ik(xena), role: 'admin' }],
      [owner, { op: 'role', subject: ik(yuri), role: 'admin' }],
    ],
  );
  expect(valid(base)).toBe(true);
  return { owner, xena, yuri, mia, ned, base };
}

/** One member's copy, taking in whole chains the way RoomChain.offer does. */
function replica(start: readonly SignedEntry[]) {
  let held = [...start];
  const offer = (candidate: readonly SignedEntry[]) => {
    const last = candidate.at(-1);
    const known =
      candidate.length <= held.length &&
      last &&
      linkHash(last) === linkHash(held[candidate.length - 1]!);
    if (known) return false;
    if (preferChain(candidate, held) !== 'a') return false;
    held = [...candidate];
    return true;
  };
  return { offer, held: () => held };
}

const headOf = (entries: readonly SignedEntry[]) => linkHash(entries.at(-1)!);

describe('membership chain forks: a removal beats the removed one writing on', () => {
  it("the kicked admin's longer branch loses", () => {
    const { owner, xena, mia, ned, base } = room();
    const kick = run(base, [[owner, { op: 'kick', subject: ik(xena) }]]);
    // Xena, seeing it coming, writes a longer branch from before the kick.
    const longer = run(base, [
      [xena, { op: 'kick', subject: ik(mia) }],
      [xena, { op: 'kick', subject: ik(ned) }],
      [xena, { op: 'invite', inviteHash: 'h'.repeat(43), expiresTs: 9_999 }],
    ]);
    expect(valid(kick) && valid(longer)).toBe(true);
    expect(preferChain(kick, longer)).toBe('a');
    expect(preferChain(longer, kick)).toBe('b');
  });

  it("a demotion to member beats the demoted admin's longer branch", () => {
    const { owner, xena, mia, base } = room();
    const demote = run(base, [[owner, { op: 'role', subject: ik(xena), role: 'member' }]]);
    const longer = run(base, [
      [xena, { op: 'kick', subject: ik(mia) }],
      [xena, { op: 'ban', subject: ik(mia) }],
    ]);
    expect(valid(demote) && valid(longer)).toBe(true);
    expect(preferChain(demote, longer)).toBe('a');
    expect(preferChain(longer, demote)).toBe('b');
  });

  it('the kicked admin cannot tie by banning a bystander who wrote on the kicking branch', () => {
    const { owner, xena, mia, base } = room();
    const newcomer = testDevice();
    const kick = run(base, [
      [owner, { op: 'kick', subject: ik(xena) }],
      [newcomer, { op: 'join' }],
    ]);
    const longer = run(base, [
      [xena, { op: 'ban', subject: ik(newcomer) }],
      [xena, { op: 'kick', subject: ik(mia) }],
      [xena, { op: 'invite', inviteHash: 'h'.repeat(43), expiresTs: 9_999 }],
    ]);
    expect(valid(kick) && valid(longer)).toBe(true);
    expect(preferChain(kick, longer)).toBe('a');
    expect(preferChain(longer, kick)).toBe('b');
  });

  it('without a removal of an author the longer branch still wins, then the lower hash', () => {
    const { owner, xena, mia, ned, base } = room();
    const short = run(base, [[owner, { op: 'kick', subject: ik(ned) }]]);
    const longer = run(base, [
      [xena, { op: 'kick', subject: ik(mia) }],
      [xena, { op: 'invite', inviteHash: 'h'.repeat(43), expiresTs: 9_999 }],
    ]);
    expect(preferChain(short, longer)).toBe('b');
    expect(preferChain(longer, short)).toBe('a');
    const other = run(base, [[xena, { op: 'kick', subject: ik(mia) }]]);
    expect(preferChain(short, other) === 'a').toBe(preferChain(other, short) === 'b');
    // An extension of a chain is never a fork: it wins.
    expect(preferChain(run(short, [[owner, { op: 'leave' }]]), short)).toBe('a');
  });

  it('two admins removing each other concurrently converge on one chain, whatever the arrival order', () => {
    const { owner, xena, yuri, mia, ned, base } = room();
    const people = [owner, xena, yuri, mia, ned];
    const stepArb = fc.tuple(
      fc.integer({ min: 0, max: 4 }),
      fc.integer({ min: 0, max: 4 }),
      fc.constantFrom('kick', 'ban', 'member', 'admin', 'invite', 'leave'),
    );
    const toStep = ([a, s, kind]: [number, number, string]): [TestDevice, MembershipOp] => {
      const subject = ik(people[s]!);
      const body: MembershipOp =
        kind === 'invite'
          ? { op: 'invite', inviteHash: 'h'.repeat(43), expiresTs: 9_999 }
          : kind === 'leave'
            ? { op: 'leave' }
            : kind === 'member' || kind === 'admin'
              ? { op: 'role', subject, role: kind }
              : { op: kind as 'kick' | 'ban', subject };
      return [people[a]!, body];
    };
    fc.assert(
      fc.property(
        fc.array(stepArb, { maxLength: 3 }),
        fc.array(stepArb, { maxLength: 3 }),
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        (moreX, moreY, orderA, orderB) => {
          // Each admin removes the other first (the fold refuses admin on admin;
          // the fork rule must not lean on that), then anything.
          const branchX = run(base, [
            [xena, { op: 'kick', subject: ik(yuri) }],
            ...moreX.map(toStep),
          ]);
          const branchY = run(base, [
            [yuri, { op: 'role', subject: ik(xena), role: 'member' }],
            ...moreY.map(toStep),
          ]);
          // What can arrive: every prefix of both branches (runs as gossip delivers them).
          const arrivals: SignedEntry[][] = [];
          for (const branch of [branchX, branchY])
            for (let n = base.length + 1; n <= branch.length; n++)
              arrivals.push(branch.slice(0, n));
          const winner = preferChain(branchX, branchY) === 'a' ? branchX : branchY;
          expect(preferChain(branchY, branchX) === 'a' ? branchY : branchX).toBe(winner);
          for (const order of [orderA, orderB]) {
            const shuffled = shuffle(arrivals, order);
            const member = replica(base);
            for (const a of shuffled) member.offer(a);
            // Chain sync: heads that differ exchange whole chains until they agree.
            while (member.offer(branchX) || member.offer(branchY)) {}
            expect(headOf(member.held())).toBe(headOf(winner));
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('every permutation of three arrivals of a kick fork ends on the kicking branch', () => {
    const { owner, xena, mia, ned, base } = room();
    const kick = run(base, [[owner, { op: 'kick', subject: ik(xena) }]]);
    const longer = run(base, [
      [xena, { op: 'kick', subject: ik(mia) }],
      [xena, { op: 'kick', subject: ik(ned) }],
    ]);
    const items = [kick, longer.slice(0, -1), longer];
    for (const order of permutations([0, 1, 2])) {
      const member = replica(base);
      for (const i of order) member.offer(items[i]!);
      expect(headOf(member.held())).toBe(headOf(kick));
    }
  });
});

function shuffle<T>(items: readonly T[], seed: readonly number[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (seed[i % seed.length] ?? 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function permutations(xs: number[]): number[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) =>
    permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]),
  );
}
