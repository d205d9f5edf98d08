/**
 * Attacks on room moderation: a kicked or banned user getting back in or
 * still talking, and moderation above one's rank.
 */
import { describe, expect, it } from 'vitest';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { randomId, roomAttackRelay } from './attack-support.ts';
import { roomWith } from './harness.ts';

const fixture = roomAttackRelay();
const { user, secondDevice, receivedNothing } = fixture;

describe('kicked members', () => {
  it('a kicked member (every device) can no longer signal, send to the room, or store mail for it', async () => {
    const [owner, victim, kicked] = [await user(), await user(), await user()];
    const kickedPhone = await secondDevice(kicked);
    const { roomId } = await roomWith(owner, [victim, kicked]);
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    for (const d of [kicked, kickedPhone]) {
      await d.client.waitFor((m) => m.t === 'room.member' && m.change === 'kicked');
      expect(await d.client.expectError({ t: 'signal', to: victim.deviceId, data: 'x' })).toBe(
        'FORBIDDEN',
      );
      d.client.sendBinary(
        clientEnvelope({ room: roomId }, new Uint8Array([5]), { storeIfOffline: true }),
      );
      expect((await d.client.next('envelope.error')).code).toBe('FORBIDDEN');
      d.client.sendBinary(clientEnvelope({ device: victim.deviceId }, new Uint8Array([6])));
      expect((await d.client.next('envelope.error')).code).toBe('FORBIDDEN');
    }
    // Nor do they hear the room any more.
    victim.client.sendBinary(clientEnvelope({ room: roomId }, new Uint8Array([7])));
    expect((await owner.client.nextBinary()).payload[0]).toBe(7);
    expect(await receivedNothing(victim)).toBe(true);
    expect(await receivedNothing(kicked)).toBe(true);
    expect(await receivedNothing(kickedPhone)).toBe(true);
  });

  it('a kicked member no longer hears who comes, goes or changes role', async () => {
    const [owner, kicked, other] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [kicked, other]);
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    await kicked.client.waitFor((m) => m.t === 'room.member' && m.change === 'kicked');
    kicked.client.inbox.length = 0;
    const newcomer = await user();
    await newcomer.client.expect('room.joined', { t: 'room.join', roomId });
    await owner.client.expect('ok', {
      t: 'room.role',
      roomId,
      userId: other.userId,
      role: 'admin',
    });
    const otherPhone = await secondDevice(other);
    await otherPhone.client.close();
    await newcomer.client.expect('ok', { t: 'room.leave', roomId });
    // Everyone still in the room heard all that; the kicked member nothing.
    await owner.client.waitFor((m) => m.t === 'room.member' && m.change === 'left');
    await kicked.client.expect('pong', { t: 'ping' });
    expect(kicked.client.inbox.filter((m) => 'roomId' in m && m.roomId === roomId)).toEqual([]);
  });

  it('a member kicked from a private room cannot rejoin without a new invite', async () => {
    const [owner, kicked] = [await user(), await user()];
    const { roomId, invite } = await roomWith(owner, [kicked], 'private');
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    expect(await kicked.client.expectError({ t: 'room.join', roomId })).toBe('INVITE_INVALID');
    expect(await kicked.client.expectError({ t: 'room.join', roomId, invite: randomId() })).toBe(
      'INVITE_INVALID',
    );
    // The link that let them in before the kick must not let them straight back.
    const reused = await kicked.client.request({ t: 'room.join', roomId, invite });
    expect(reused.t === 'error' ? reused.code : reused.t).toBe('INVITE_INVALID');
    // A new invite, issued after the kick, does.
    const fresh = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    await kicked.client.expect('room.joined', { t: 'room.join', roomId, invite: fresh.invite });
  });

  it('each kick voids every invite issued before it, including the one used to come back', async () => {
    const [owner, kicked] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [kicked], 'private');
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    const second = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    await kicked.client.expect('room.joined', { t: 'room.join', roomId, invite: second.invite });
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    expect(await kicked.client.expectError({ t: 'room.join', roomId, invite: second.invite })).toBe(
      'INVITE_INVALID',
    );
    const third = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    await kicked.client.expect('room.joined', { t: 'room.join', roomId, invite: third.invite });
  });

  it('an invite issued after the kick admits the kicked member even after other rooms are deleted', async () => {
    const [owner, kicked, other] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [kicked], 'private');
    // Another room's invites are the newest in the relay when the kick happens…
    const elsewhere = await roomWith(other, [], 'private');
    for (let i = 0; i < 3; i++) {
      await other.client.expect('room.invite.ok', { t: 'room.invite', roomId: elsewhere.roomId });
    }
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    // …then that room goes, taking its invites with it.
    await other.client.expect('ok', { t: 'room.delete', roomId: elsewhere.roomId });
    const fresh = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    await kicked.client.expect('room.joined', { t: 'room.join', roomId, invite: fresh.invite });
  });
});

describe('banned users', () => {
  it('a banned user cannot rejoin with any code, from any device, old or new', async () => {
    const [owner, banned] = [await user(), await user()];
    const bannedPhone = await secondDevice(banned);
    const { roomId, invite } = await roomWith(owner, [banned], 'private');
    await owner.client.expect('ok', { t: 'room.ban', roomId, userId: banned.userId });
    const fresh = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    const laptop = await secondDevice(banned);
    for (const d of [banned, bannedPhone, laptop]) {
      for (const code of [invite, fresh.invite, undefined]) {
        const msg = { t: 'room.join', roomId, ...(code ? { invite: code } : {}) };
        expect(await d.client.expectError(msg)).toBe('BANNED');
      }
      expect(await d.client.expectError({ t: 'room.unban', roomId, userId: banned.userId })).toBe(
        'NOT_MEMBER',
      );
    }
  });

  it('a user banned and later unbanned needs an invite issued after the ban, like a kicked one', async () => {
    const [owner, banned] = [await user(), await user()];
    const { roomId, invite } = await roomWith(owner, [banned], 'private');
    await owner.client.expect('ok', { t: 'room.ban', roomId, userId: banned.userId });
    await owner.client.expect('ok', { t: 'room.unban', roomId, userId: banned.userId });
    // A ban removes at least as firmly as a kick: the old link is void.
    const reused = await banned.client.request({ t: 'room.join', roomId, invite });
    expect(reused.t === 'error' ? reused.code : reused.t).toBe('INVITE_INVALID');
    const fresh = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    await banned.client.expect('room.joined', { t: 'room.join', roomId, invite: fresh.invite });
  });

  it('a user banned from a public room cannot walk back in by id, nor be let in by a member', async () => {
    const [owner, member, banned] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [member, banned]);
    await owner.client.expect('ok', { t: 'room.ban', roomId, userId: banned.userId });
    expect(await banned.client.expectError({ t: 'room.join', roomId })).toBe('BANNED');
    expect(
      await member.client.expectError({ t: 'room.unban', roomId, userId: banned.userId }),
    ).toBe('FORBIDDEN');
    expect(await banned.client.expectError({ t: 'room.join', roomId })).toBe('BANNED');
  });

  it('a pre-emptive ban of a non-member keeps them out', async () => {
    const [owner, outsider] = [await user(), await user()];
    const { roomId } = await roomWith(owner, []);
    await owner.client.expect('ok', { t: 'room.ban', roomId, userId: outsider.userId });
    expect(await outsider.client.expectError({ t: 'room.join', roomId })).toBe('BANNED');
  });
});

describe('moderation above one’s rank', () => {
  it('an admin cannot kick, ban or re-role the owner or another admin, nor delete the room', async () => {
    const [owner, admin, otherAdmin, member] = [
      await user(),
      await user(),
      await user(),
      await user(),
    ];
    const { roomId } = await roomWith(owner, [admin, otherAdmin, member]);
    for (const a of [admin, otherAdmin]) {
      await owner.client.expect('ok', { t: 'room.role', roomId, userId: a.userId, role: 'admin' });
    }
    for (const target of [owner, otherAdmin]) {
      for (const t of ['room.kick', 'room.ban'] as const) {
        expect(await admin.client.expectError({ t, roomId, userId: target.userId })).toBe(
          'FORBIDDEN',
        );
      }
      expect(
        await admin.client.expectError({
          t: 'room.role',
          roomId,
          userId: target.userId,
          role: 'member',
        }),
      ).toBe('FORBIDDEN');
    }
    expect(
      await admin.client.expectError({
        t: 'room.role',
        roomId,
        userId: member.userId,
        role: 'admin',
      }),
    ).toBe('FORBIDDEN');
    expect(
      await admin.client.expectError({
        t: 'room.role',
        roomId,
        userId: admin.userId,
        role: 'admin',
      }),
    ).toBe('FORBIDDEN');
    expect(await admin.client.expectError({ t: 'room.delete', roomId })).toBe('FORBIDDEN');
    const members = await owner.client.expect('room.members.ok', { t: 'room.members', roomId });
    expect(members.members.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [owner.userId, 'owner'],
        [admin.userId, 'admin'],
        [otherAdmin.userId, 'admin'],
        [member.userId, 'member'],
      ].sort(),
    );
  });

  it('a member cannot kick, ban, unban, promote, invite or delete', async () => {
    const [owner, member, other] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [member, other], 'private');
    const attempts = [
      { t: 'room.kick', roomId, userId: other.userId },
      { t: 'room.kick', roomId, userId: owner.userId },
      { t: 'room.ban', roomId, userId: other.userId },
      { t: 'room.ban', roomId, userId: owner.userId },
      { t: 'room.unban', roomId, userId: other.userId },
      { t: 'room.role', roomId, userId: member.userId, role: 'admin' },
      { t: 'room.role', roomId, userId: other.userId, role: 'admin' },
      { t: 'room.invite', roomId },
      { t: 'room.delete', roomId },
    ];
    for (const msg of attempts)
      expect(await member.client.expectError(msg), msg.t).toBe('FORBIDDEN');
    const members = await owner.client.expect('room.members.ok', { t: 'room.members', roomId });
    expect(members.members).toHaveLength(3);
  });

  it('nobody, the owner included, can kick or re-role the owner', async () => {
    const [owner, admin] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [admin]);
    await owner.client.expect('ok', {
      t: 'room.role',
      roomId,
      userId: admin.userId,
      role: 'admin',
    });
    expect(await owner.client.expectError({ t: 'room.kick', roomId, userId: owner.userId })).toBe(
      'FORBIDDEN',
    );
    expect(
      await owner.client.expectError({
        t: 'room.role',
        roomId,
        userId: owner.userId,
        role: 'member',
      }),
    ).toBe('FORBIDDEN');
  });

  it('a demoted admin loses the powers at once', async () => {
    const [owner, admin, member] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [admin, member]);
    await owner.client.expect('ok', {
      t: 'room.role',
      roomId,
      userId: admin.userId,
      role: 'admin',
    });
    await owner.client.expect('ok', {
      t: 'room.role',
      roomId,
      userId: admin.userId,
      role: 'member',
    });
    expect(await admin.client.expectError({ t: 'room.kick', roomId, userId: member.userId })).toBe(
      'FORBIDDEN',
    );
  });

  it('after a room is deleted its former members cannot use it', async () => {
    const [owner, member] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [member]);
    await owner.client.expect('ok', { t: 'room.delete', roomId });
    member.client.sendBinary(clientEnvelope({ room: roomId }, new Uint8Array([1])));
    expect((await member.client.next('envelope.error')).code).toBe('FORBIDDEN');
    expect(await member.client.expectError({ t: 'room.join', roomId })).toBe('ROOM_NOT_FOUND');
    expect(await owner.client.expectError({ t: 'room.invite', roomId })).toBe('ROOM_NOT_FOUND');
  });
});
