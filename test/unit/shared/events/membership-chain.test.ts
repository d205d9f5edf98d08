import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../../shared/crypto/encoding.ts';
import { randomBytes } from '../../../../shared/crypto/random.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';
import {
  foldChain,
  inviteHash,
  type MembershipState,
  nextEntry,
  preferChain,
  type SignedEntry,
  signEntry,
} from '../../../../shared/events/membership-chain.ts';
import type { MembershipOp } from '../../../../shared/events/membership-schema.ts';
import { type TestDevice, testDevice } from '../../../support/identities.ts';

beforeAll(async () => {
  await loadSodium();
});

const ROOM = 'room-1';
const ik = (d: TestDevice) => toB64(d.identity.publicKey);

/** A chain under construction: every append is signed and folded. */
function chain(owner: TestDevice, visibility: 'public' | 'private' = 'public') {
  const entries: SignedEntry[] = [
    signEntry(
      {
        v: 1,
        room: ROOM,
        seq: 0,
        prev: null,
        by: ik(owner),
        byDevice: owner.deviceId,
        ts: 1_000,
        body: { op: 'create', name: 'r', visibility },
      },
      { dkSecret: owner.dk.privateKey, cert: owner.cert },
    ),
  ];
  const state = (): MembershipState => {
    const folded = foldChain(ROOM, entries);
    if (!folded.ok) throw new Error(`chain refused: ${folded.code} at ${folded.at}`);
    return folded.value;
  };
  return {
    entries,
    state,
    /** Appends if the fold accepts it; returns whether it was accepted. */
    act(actor: TestDevice, body: MembershipOp, ts = 2_000): boolean {
      const signed = signEntry(nextEntry(state(), ik(actor), actor.deviceId, ts, body), {
        dkSecret: actor.dk.privateKey,
        cert: actor.cert,
      });
      const ok = foldChain(ROOM, [...entries, signed]).ok;
      if (ok) entries.push(signed);
      return ok;
    },
  };
}

describe('membership chain: who may do what', () => {
  it('the creator owns the room; anyone joins a public room', () => {
    const owner = testDevice();
    const bob = testDevice();
    const c = chain(owner);
    expect(c.act(bob, { op: 'join' })).toBe(true);
    expect(c.state().roles).toEqual(
      new Map([
        [ik(owner), 'owner'],
        [ik(bob), 'member'],
      ]),
    );
  });

  it('a private room is joined only with the secret of an unexpired invite', () => {
    const owner = testDevice();
    const bob = testDevice();
    const c = chain(owner, 'private');
    const secret = randomBytes(32);
    expect(c.act(bob, { op: 'join' })).toBe(false);
    expect(c.act(owner, { op: 'invite', inviteHash: inviteHash(secret), expiresTs: 5_000 })).toBe(
      true,
    );
    expect(c.act(bob, { op: 'join', inviteSecret: toB64(randomBytes(32)) })).toBe(false);
    expect(c.act(bob, { op: 'join', inviteSecret: toB64(secret) }, 6_000)).toBe(false);
    expect(c.act(bob, { op: 'join', inviteSecret: toB64(secret) }, 4_000)).toBe(true);
  });

  it('only owners and admins moderate; an admin cannot touch the owner or another admin', () => {
    const [owner, ann, ben, cat] = [testDevice(), testDevice(), testDevice(), testDevice()];
    const c = chain(owner);
    for (const d of [ann, ben, cat]) c.act(d, { op: 'join' });
    expect(c.act(ben, { op: 'kick', subject: ik(cat) })).toBe(false);
    expect(c.act(ann, { op: 'role', subject: ik(ann), role: 'admin' })).toBe(false);
    expect(c.act(owner, { op: 'role', subject: ik(ann), role: 'admin' })).toBe(true);
    expect(c.act(owner, { op: 'role', subject: ik(ben), role: 'admin' })).toBe(true);
    expect(c.act(ann, { op: 'kick', subject: ik(owner) })).toBe(false);
    expect(c.act(ann, { op: 'kick', subject: ik(ben) })).toBe(false);
    expect(c.act(ann, { op: 'role', subject: ik(cat), role: 'admin' })).toBe(false);
    expect(c.act(ann, { op: 'kick', subject: ik(cat) })).toBe(true);
    expect(c.act(owner, { op: 'kick', subject: ik(ben) })).toBe(true);
    expect(c.act(owner, { op: 'leave' })).toBe(false);
    expect([...c.state().roles.keys()]).toEqual([ik(owner), ik(ann)]);
  });

  it('a banned identity cannot rejoin until unbanned; every removal starts a new epoch', () => {
    const [owner, bob, cat] = [testDevice(), testDevice(), testDevice()];
    const c = chain(owner);
    c.act(bob, { op: 'join' });
    c.act(cat, { op: 'join' });
    expect(c.act(owner, { op: 'ban', subject: ik(bob) })).toBe(true);
    expect(c.act(bob, { op: 'join' })).toBe(false);
    expect(c.act(cat, { op: 'leave' })).toBe(true);
    expect(c.state().removals).toBe(2);
    expect(c.act(owner, { op: 'unban', subject: ik(bob) })).toBe(true);
    expect(c.act(bob, { op: 'join' })).toBe(true);
  });
});

describe('membership chain: what a relay cannot do', () => {
  function fourEntries() {
    const [owner, bob, cat] = [testDevice(), testDevice(), testDevice()];
    const c = chain(owner);
    c.act(bob, { op: 'join' });
    c.act(cat, { op: 'join' });
    c.act(owner, { op: 'kick', subject: ik(cat) });
    return { c, owner, bob, cat };
  }

  it('alter an entry', () => {
    const { c } = fourEntries();
    const tampered = [...c.entries];
    const e = tampered[3]!;
    tampered[3] = {
      ...e,
      bytes: new TextEncoder().encode(new TextDecoder().decode(e.bytes).replace('kick', 'role')),
    };
    expect(foldChain(ROOM, tampered)).toMatchObject({
      ok: false,
      code: 'CHAIN_BAD_SIGNATURE',
      at: 3,
    });
  });

  it('drop or reorder entries (a kick cannot be hidden)', () => {
    const { c } = fourEntries();
    const [a, b, cc, d] = c.entries as [SignedEntry, SignedEntry, SignedEntry, SignedEntry];
    expect(foldChain(ROOM, [a, b, d])).toMatchObject({ ok: false, code: 'CHAIN_BROKEN', at: 2 });
    expect(foldChain(ROOM, [a, cc, b, d])).toMatchObject({
      ok: false,
      code: 'CHAIN_BROKEN',
      at: 1,
    });
    // Cutting the tail is a shorter valid chain: members prefer the longest.
    expect(preferChain([a, b, cc, d], [a, b, cc])).toBe('a');
  });

  it('splice in an entry from another room', () => {
    const { c, owner } = fourEntries();
    const other = chain(owner);
    const alien = signEntry(
      {
        ...nextEntry(c.state(), ik(owner), owner.deviceId, 3_000, { op: 'leave' }),
        room: 'room-2',
      },
      { dkSecret: owner.dk.privateKey, cert: owner.cert },
    );
    void other;
    expect(foldChain(ROOM, [...c.entries, alien])).toMatchObject({
      ok: false,
      code: 'CHAIN_WRONG_ROOM',
    });
  });

  it('add a ghost member: a join signed by a device not of that identity is refused', () => {
    const { c, bob } = fourEntries();
    const ghost = testDevice();
    // The entry claims Bob's identity but the relay can only sign with its own device.
    const forged = signEntry(nextEntry(c.state(), ik(bob), ghost.deviceId, 3_000, { op: 'join' }), {
      dkSecret: ghost.dk.privateKey,
      cert: ghost.cert,
    });
    expect(foldChain(ROOM, [...c.entries, forged])).toMatchObject({
      ok: false,
      code: 'CHAIN_BAD_CERT',
    });
    // And a ghost with its own identity in a private room has no invite.
    const priv = chain(testDevice(), 'private');
    expect(priv.act(ghost, { op: 'join' })).toBe(false);
  });

  it('every member picks the same branch of a fork, whichever it saw first', () => {
    const [owner, ann, ben] = [testDevice(), testDevice(), testDevice()];
    const c = chain(owner);
    c.act(ann, { op: 'join' });
    const base = [...c.entries];
    const branch = (actor: TestDevice) => {
      const b = chain(owner);
      b.entries.splice(0, b.entries.length, ...base);
      b.act(actor, { op: 'join' });
      return b.entries;
    };
    const x = branch(ben);
    const y = branch(testDevice());
    expect(preferChain(x, y) === 'a').toBe(preferChain(y, x) === 'b');
  });
});

describe('membership chain: invariants under any sequence of actions', () => {
  it('the owner stays the owner, banned identities are never members, and the fold never throws', () => {
    const people = Array.from({ length: 4 }, () => testDevice());
    const owner = people[0]!;
    const opArb = fc.tuple(
      fc.integer({ min: 0, max: 3 }),
      fc.integer({ min: 0, max: 3 }),
      fc.constantFrom('join', 'leave', 'kick', 'ban', 'unban', 'admin', 'member'),
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (steps) => {
        const c = chain(owner);
        for (const [a, t, kind] of steps) {
          const actor = people[a]!;
          const subject = ik(people[t]!);
          const body: MembershipOp =
            kind === 'join' || kind === 'leave'
              ? { op: kind }
              : kind === 'admin' || kind === 'member'
                ? { op: 'role', subject, role: kind }
                : { op: kind, subject };
          c.act(actor, body);
        }
        const s = c.state();
        expect(s.roles.get(ik(owner))).toBe('owner');
        expect(s.owner).toBe(ik(owner));
        for (const b of s.banned) expect(s.roles.has(b)).toBe(false);
        expect(s.head.seq).toBe(c.entries.length - 1);
      }),
      { numRuns: 40 },
    );
  });
});
