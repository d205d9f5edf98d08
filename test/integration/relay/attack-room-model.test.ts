/**
 * Property: any sequence of joins, leaves, invites, kicks, bans, unbans and
 * role changes, by anyone against anyone, is allowed or refused exactly as
 * the rules say (owner > admin > member; moderation needs a strictly higher
 * rank; only the owner changes roles; bans keep out; a kicked user needs an
 * invite issued after the kick), and afterwards the relay's member list is
 * the model's and room envelopes reach exactly the members.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import type { RelayMessage } from '../../../shared/protocol/relay-messages.ts';
import { unknownCodes } from './attack-support.ts';
import {
  type ConnectedDevice,
  connectDevice,
  relaySchemaErrors,
  startTestRelay,
  type TestRelay,
} from './harness.ts';

type Role = 'owner' | 'admin' | 'member';
const RANK: Record<Role, number> = { owner: 3, admin: 2, member: 1 };
const PEOPLE = 4; // 0 is the owner

type Op =
  | { t: 'join'; who: number; invite: 'none' | 'first' | 'latest' }
  | { t: 'leave'; who: number }
  | { t: 'invite'; who: number }
  | { t: 'kick' | 'ban' | 'unban'; who: number; target: number }
  | { t: 'role'; who: number; target: number; role: 'admin' | 'member' };

const person = fc.integer({ min: 0, max: PEOPLE - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant('join' as const),
    who: person,
    invite: fc.constantFrom('none' as const, 'first' as const, 'latest' as const),
  }),
  fc.record({ t: fc.constant('leave' as const), who: person }),
  fc.record({ t: fc.constant('invite' as const), who: person }),
  fc.record({
    t: fc.constantFrom('kick' as const, 'ban' as const, 'unban' as const),
    who: person,
    target: person,
  }),
  fc.record({
    t: fc.constant('role' as const),
    who: person,
    target: person,
    role: fc.constantFrom('admin' as const, 'member' as const),
  }),
);

/** What the rules say about one room. */
class RoomModel {
  readonly members = new Map<number, Role>([[0, 'owner']]);
  readonly banned = new Set<number>();
  /** Invite sequence numbers: 1 is the one made with the room. */
  invites = 1;
  /** Per user: invites up to this number no longer admit them (kicked). */
  readonly floor = new Map<number, number>();
  /** Per user: invites up to this number are in doubt after a ban was lifted. */
  readonly unbannedFloor = new Map<number, number>();

  rank(who: number): number {
    const role = this.members.get(who);
    return role ? RANK[role] : 0;
  }

  /** true = must succeed, false = must fail, null = the rules do not say. */
  expect(o: Op, inviteSeq: number | null): boolean | null {
    const me = this.rank(o.who);
    switch (o.t) {
      case 'join': {
        if (this.banned.has(o.who) || this.members.has(o.who)) return false;
        if (inviteSeq === null) return false;
        if (inviteSeq <= (this.floor.get(o.who) ?? 0)) return false;
        if (inviteSeq <= (this.unbannedFloor.get(o.who) ?? 0)) return null;
        return true;
      }
      case 'leave':
        return me > 0 && me < RANK.owner;
      case 'invite':
        return me >= RANK.admin;
      case 'kick':
        return me >= RANK.admin && this.members.has(o.target) && me > this.rank(o.target);
      case 'ban':
        return this.members.has(o.target)
          ? me >= RANK.admin && me > this.rank(o.target)
          : me >= RANK.admin;
      case 'unban':
        return me >= RANK.admin;
      case 'role':
        return me === RANK.owner && this.members.has(o.target) && o.target !== o.who;
    }
  }

  apply(o: Op): void {
    switch (o.t) {
      case 'join':
        this.members.set(o.who, 'member');
        return;
      case 'leave':
        this.members.delete(o.who);
        return;
      case 'invite':
        this.invites += 1;
        return;
      case 'kick':
        this.members.delete(o.target);
        this.floor.set(o.target, this.invites);
        return;
      case 'ban':
        this.members.delete(o.target);
        this.banned.add(o.target);
        this.unbannedFloor.set(o.target, this.invites);
        return;
      case 'unban':
        this.banned.delete(o.target);
        return;
      case 'role':
        this.members.set(o.target, o.role);
        return;
    }
  }
}

let relay: TestRelay;
let people: ConnectedDevice[];

beforeAll(async () => {
  relay = await startTestRelay({ maxRoomsOwned: 10_000, maxViolationsPerMin: 1_000_000 });
  people = [];
  for (let i = 0; i < PEOPLE; i++) people.push(await connectDevice(relay));
});
afterAll(async () => {
  await Promise.all(people.map((p) => p.client.close()));
  await relay.destroy();
});

function succeeded(reply: RelayMessage): boolean {
  return reply.t !== 'error';
}

async function run(ops: Op[]): Promise<void> {
  const owner = people[0]!;
  const created = await owner.client.expect('room.created', {
    t: 'room.create',
    name: 'model',
    visibility: 'private',
  });
  const roomId = created.room.id;
  const codes: string[] = [created.invite!];
  const model = new RoomModel();
  for (const o of ops) {
    const actor = people[o.who]!.client;
    const target = 'target' in o ? people[o.target]!.userId : '';
    let inviteSeq: number | null = null;
    let msg: Record<string, unknown>;
    switch (o.t) {
      case 'join': {
        inviteSeq = o.invite === 'none' ? null : o.invite === 'first' ? 1 : codes.length;
        const invite = inviteSeq === null ? undefined : codes[inviteSeq - 1];
        msg = { t: 'room.join', roomId, ...(invite ? { invite } : {}) };
        break;
      }
      case 'leave':
        msg = { t: 'room.leave', roomId };
        break;
      case 'invite':
        msg = { t: 'room.invite', roomId };
        break;
      case 'role':
        msg = { t: 'room.role', roomId, userId: target, role: o.role };
        break;
      default:
        msg = { t: `room.${o.t}`, roomId, userId: target };
    }
    const expected = model.expect(o, inviteSeq);
    const reply = await actor.request(msg);
    expect(
      reply.t === 'error' ? reply.code : 'ok',
      `${JSON.stringify(o)} → ${JSON.stringify(reply)}`,
    ).not.toBe('INTERNAL');
    if (expected !== null) {
      expect(succeeded(reply), `${JSON.stringify(o)} → ${JSON.stringify(reply)}`).toBe(expected);
    }
    if (succeeded(reply)) {
      model.apply(o);
      if (reply.t === 'room.invite.ok') codes.push(reply.invite);
    }
  }
  // The relay's member list is the model's.
  const listed = await owner.client.expect('room.members.ok', { t: 'room.members', roomId });
  const actual = new Map(listed.members.map((m) => [m.userId, m.role]));
  const modelled = new Map([...model.members].map(([who, role]) => [people[who]!.userId, role]));
  expect(actual).toEqual(modelled);
  // Room envelopes from the owner reach exactly the members; outsiders are refused.
  owner.client.sendBinary(clientEnvelope({ room: roomId }, new Uint8Array([1])));
  for (let who = 1; who < PEOPLE; who++) {
    const c = people[who]!.client;
    await c.expect('pong', { t: 'ping' });
    const got = c.binaryInbox.splice(0).filter((e) => e.kind === 'room' && e.roomId === roomId);
    expect(got.length, `person ${who} (${model.members.get(who) ?? 'outsider'})`).toBe(
      model.members.has(who) ? 1 : 0,
    );
    if (!model.members.has(who)) {
      c.sendBinary(clientEnvelope({ room: roomId }, new Uint8Array([2])));
      expect((await c.next('envelope.error')).code).toBe('FORBIDDEN');
    }
  }
  await owner.client.expect('ok', { t: 'room.delete', roomId });
  for (const p of people) {
    expect(unknownCodes(p.client.inbox)).toEqual([]);
    p.client.inbox.length = 0;
  }
}

describe('room moderation against a model', () => {
  it('every sequence of room operations follows the rules, and membership is what the rules say', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), run), {
      numRuns: 60,
    });
    expect(relaySchemaErrors()).toEqual([]);
  });
});
