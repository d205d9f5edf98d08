import { beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';
import {
  foldChain,
  type MembershipState,
  memberSince,
  nextEntry,
  type SignedEntry,
  signEntry,
  wasMemberAt,
} from '../../../../shared/events/membership-chain.ts';
import type { MembershipOp, RoomHistory } from '../../../../shared/events/membership-schema.ts';
import { type TestDevice, testDevice } from '../../../support/identities.ts';

beforeAll(async () => {
  await loadSodium();
});

const ROOM = 'room-h';
const ik = (d: TestDevice) => toB64(d.identity.publicKey);
const sign = (d: TestDevice, entry: Parameters<typeof signEntry>[0]) =>
  signEntry(entry, { dkSecret: d.dk.privateKey, cert: d.cert });

function chain(owner: TestDevice, history?: RoomHistory) {
  const entries: SignedEntry[] = [
    sign(owner, {
      v: 1,
      room: ROOM,
      seq: 0,
      prev: null,
      by: ik(owner),
      byDevice: owner.deviceId,
      ts: 1_000,
      body: { op: 'create', name: 'r', visibility: 'public', ...(history ? { history } : {}) },
    }),
  ];
  const state = (): MembershipState => {
    const folded = foldChain(ROOM, entries);
    if (!folded.ok) throw new Error(folded.code);
    return folded.value;
  };
  return {
    entries,
    state,
    act(actor: TestDevice, body: MembershipOp, ts: number): boolean {
      const signed = sign(actor, nextEntry(state(), ik(actor), actor.deviceId, ts, body));
      const ok = foldChain(ROOM, [...entries, signed]).ok;
      if (ok) entries.push(signed);
      return ok;
    },
  };
}

describe('membership chain: the room history setting', () => {
  it('is set at creation (shared unless said otherwise) and changed only by the owner', () => {
    const [owner, ann] = [testDevice(), testDevice()];
    expect(chain(owner).state().history).toBe('shared');
    const c = chain(owner, 'since-join');
    expect(c.state().history).toBe('since-join');
    c.act(ann, { op: 'join' }, 2_000);
    c.act(owner, { op: 'role', subject: ik(ann), role: 'admin' }, 2_100);
    expect(c.act(ann, { op: 'history', history: 'shared' }, 2_200)).toBe(false);
    expect(c.act(owner, { op: 'history', history: 'shared' }, 2_300)).toBe(true);
    expect(c.state().history).toBe('shared');
  });
});

describe('membership chain: time', () => {
  it('an entry dated before the one it follows is refused; nextEntry never dates one so', () => {
    const [owner, bob] = [testDevice(), testDevice()];
    const c = chain(owner);
    c.act(owner, { op: 'history', history: 'since-join' }, 5_000);
    const backdated = sign(bob, {
      ...nextEntry(c.state(), ik(bob), bob.deviceId, 0, { op: 'join' }),
      ts: 4_000,
    });
    expect(foldChain(ROOM, [...c.entries, backdated])).toMatchObject({
      ok: false,
      code: 'CHAIN_BROKEN',
    });
    // A clock behind the last actor's: the entry is dated at the head instead.
    expect(c.act(bob, { op: 'join' }, 100)).toBe(true);
    expect(memberSince(c.state(), ik(bob))).toBe(5_000);
  });

  it('membership stretches follow joins and removals', () => {
    const [owner, bob] = [testDevice(), testDevice()];
    const c = chain(owner);
    c.act(bob, { op: 'join' }, 2_000);
    c.act(owner, { op: 'kick', subject: ik(bob) }, 3_000);
    c.act(bob, { op: 'join' }, 4_000);
    const s = c.state();
    expect(s.tenure.get(ik(bob))).toEqual([
      { from: 2_000, to: 3_000 },
      { from: 4_000, to: null },
    ]);
    expect(wasMemberAt(s, ik(bob), 2_500)).toBe(true);
    expect(wasMemberAt(s, ik(bob), 3_500)).toBe(false);
    expect(wasMemberAt(s, ik(bob), 3_500, 600)).toBe(true);
    expect(wasMemberAt(s, ik(bob), 1_999)).toBe(false);
    expect(memberSince(s, ik(bob))).toBe(4_000);
    expect(memberSince(s, ik(testDevice()))).toBeNull();
    expect(wasMemberAt(s, ik(owner), 1_000)).toBe(true);
  });
});
