import { describe, expect, it } from 'vitest';
import { connectDevice, newDeviceFor, roomWith, startTestRelay } from './harness.ts';
import { sharedRelay } from './shared-relay.ts';

const shared = sharedRelay();
const { user } = shared;

describe('rooms', () => {
  it('a public room is joined by id and listed publicly; a private one is neither', async () => {
    const [alice, bob] = [await user(), await user()];
    const pub = await alice.client.expect('room.created', {
      t: 'room.create',
      name: 'lobby',
      visibility: 'public',
    });
    expect(pub.invite).toBeUndefined();
    expect(pub.room).toMatchObject({ name: 'lobby', role: 'owner', memberCount: 1 });
    const priv = await alice.client.expect('room.created', {
      t: 'room.create',
      name: 'secret',
      visibility: 'private',
    });
    expect(priv.invite).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const listed = await bob.client.expect('room.public.ok', { t: 'room.public' });
    const ids = listed.rooms.map((r) => r.id);
    expect(ids).toContain(pub.room.id);
    expect(ids).not.toContain(priv.room.id);

    const joined = await bob.client.expect('room.joined', { t: 'room.join', roomId: pub.room.id });
    expect(joined.members.map((m) => m.userId).sort()).toEqual([alice.userId, bob.userId].sort());
    expect(joined.members.find((m) => m.userId === alice.userId)?.online).toEqual([alice.deviceId]);

    const mine = await bob.client.expect('room.list.ok', { t: 'room.list' });
    expect(mine.rooms).toEqual([expect.objectContaining({ id: pub.room.id, role: 'member' })]);
  });

  it('a private room needs its invite code; a wrong or missing code is refused', async () => {
    const [alice, bob] = [await user(), await user()];
    const priv = await alice.client.expect('room.created', {
      t: 'room.create',
      name: 'secret',
      visibility: 'private',
    });
    const roomId = priv.room.id;
    expect(await bob.client.expectError({ t: 'room.join', roomId })).toBe('INVITE_INVALID');
    const wrong = 'A'.repeat(22);
    expect(await bob.client.expectError({ t: 'room.join', roomId, invite: wrong })).toBe(
      'INVITE_INVALID',
    );
    await bob.client.expect('room.joined', { t: 'room.join', roomId, invite: priv.invite });
  });

  it('the relay stores only a hash of an invite code', async () => {
    const alice = await user();
    const priv = await alice.client.expect('room.created', {
      t: 'room.create',
      name: 'secret',
      visibility: 'private',
    });
    const { readFileSync } = await import('node:fs');
    const { fromB64 } = await import('../../../shared/crypto/encoding.ts');
    const db = Buffer.concat([
      readFileSync(shared.relay.dbPath),
      readFileSync(`${shared.relay.dbPath}-wal`, { flag: 'r' }),
    ]);
    expect(db.includes(Buffer.from(fromB64(priv.invite!)))).toBe(false);
    expect(db.includes(Buffer.from(priv.invite!))).toBe(false);
  });

  it('members see presence when a device joins, leaves and disconnects', async () => {
    const [alice, bob] = [await user(), await user()];
    const { roomId } = await roomWith(alice, []);
    await bob.client.expect('room.joined', { t: 'room.join', roomId });
    const joined = await alice.client.next('room.member');
    expect(joined).toMatchObject({ roomId, userId: bob.userId, change: 'joined' });
    expect(await alice.client.next('presence')).toMatchObject({
      roomId,
      userId: bob.userId,
      deviceId: bob.deviceId,
      online: true,
    });

    // Bob's second device comes online: Alice hears it.
    const bobPhone = await connectDevice(shared.relay, {
      keys: newDeviceFor(bob.keys),
      mode: 'device.add',
    });
    shared.closeAfterTest(bobPhone);
    expect(await alice.client.next('presence')).toMatchObject({
      deviceId: bobPhone.deviceId,
      online: true,
    });
    await bobPhone.client.close();
    expect(await alice.client.next('presence')).toMatchObject({
      deviceId: bobPhone.deviceId,
      online: false,
    });

    await bob.client.expect('ok', { t: 'room.leave', roomId });
    expect(await alice.client.next('room.member')).toMatchObject({ change: 'left' });
    expect(await alice.client.next('presence')).toMatchObject({
      deviceId: bob.deviceId,
      online: false,
    });
  });

  it('the owner cannot leave; only the owner deletes, and members are told', async () => {
    const [alice, bob] = [await user(), await user()];
    const { roomId } = await roomWith(alice, [bob]);
    expect(await alice.client.expectError({ t: 'room.leave', roomId })).toBe('OWNER_CANNOT_LEAVE');
    expect(await bob.client.expectError({ t: 'room.delete', roomId })).toBe('FORBIDDEN');
    await alice.client.expect('ok', { t: 'room.delete', roomId });
    expect(await bob.client.next('room.deleted')).toMatchObject({ roomId });
    expect(await bob.client.expectError({ t: 'room.join', roomId })).toBe('ROOM_NOT_FOUND');
  });

  it('roles: the owner promotes; an admin kicks members but not the owner or another admin', async () => {
    const [owner, admin1, admin2, member] = [
      await user(),
      await user(),
      await user(),
      await user(),
    ];
    const { roomId } = await roomWith(owner, [admin1, admin2, member]);
    for (const a of [admin1, admin2]) {
      await owner.client.expect('ok', { t: 'room.role', roomId, userId: a.userId, role: 'admin' });
    }
    expect(
      await admin1.client.expectError({
        t: 'room.role',
        roomId,
        userId: member.userId,
        role: 'admin',
      }),
    ).toBe('FORBIDDEN');
    expect(await admin1.client.expectError({ t: 'room.kick', roomId, userId: owner.userId })).toBe(
      'FORBIDDEN',
    );
    expect(await admin1.client.expectError({ t: 'room.kick', roomId, userId: admin2.userId })).toBe(
      'FORBIDDEN',
    );
    expect(await member.client.expectError({ t: 'room.kick', roomId, userId: admin1.userId })).toBe(
      'FORBIDDEN',
    );
    await admin1.client.expect('ok', { t: 'room.kick', roomId, userId: member.userId });
    const kicked = await member.client.waitFor(
      (m) => m.t === 'room.member' && m.change === 'kicked',
    );
    expect(kicked).toMatchObject({
      userId: member.userId,
      by: admin1.userId,
    });
    const members = await owner.client.expect('room.members.ok', { t: 'room.members', roomId });
    expect(members.members.map((m) => m.userId)).not.toContain(member.userId);
  });

  it('a kicked member needs a new invite to rejoin; a banned one cannot rejoin with any code', async () => {
    const [owner, kicked, banned] = [await user(), await user(), await user()];
    const { roomId, invite } = await roomWith(owner, [kicked, banned], 'private');
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: kicked.userId });
    // The old invite no longer admits the kicked user; one issued after the kick does.
    expect(await kicked.client.expectError({ t: 'room.join', roomId, invite })).toBe(
      'INVITE_INVALID',
    );
    const after = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    await kicked.client.expect('room.joined', { t: 'room.join', roomId, invite: after.invite });

    await owner.client.expect('ok', { t: 'room.ban', roomId, userId: banned.userId });
    expect(await banned.client.expectError({ t: 'room.join', roomId, invite })).toBe('BANNED');
    const fresh = await owner.client.expect('room.invite.ok', { t: 'room.invite', roomId });
    expect(await banned.client.expectError({ t: 'room.join', roomId, invite: fresh.invite })).toBe(
      'BANNED',
    );
    // Another device of the banned user is banned too: bans are by user.
    const phone = await connectDevice(shared.relay, {
      keys: newDeviceFor(banned.keys),
      mode: 'device.add',
    });
    shared.closeAfterTest(phone);
    expect(await phone.client.expectError({ t: 'room.join', roomId, invite: fresh.invite })).toBe(
      'BANNED',
    );
    await owner.client.expect('ok', { t: 'room.unban', roomId, userId: banned.userId });
    await banned.client.expect('room.joined', { t: 'room.join', roomId, invite: fresh.invite });
  });

  it('a member kicked from a public room may join it again', async () => {
    const [owner, member] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [member]);
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: member.userId });
    await member.client.expect('room.joined', { t: 'room.join', roomId });
  });

  it('a non-member cannot list members or invite', async () => {
    const [alice, eve] = [await user(), await user()];
    const { roomId } = await roomWith(alice, [], 'private');
    expect(await eve.client.expectError({ t: 'room.members', roomId })).toBe('NOT_MEMBER');
    expect(await eve.client.expectError({ t: 'room.invite', roomId })).toBe('NOT_MEMBER');
  });

  it('a room holds at most max-room-members', async () => {
    const small = await startTestRelay({ maxRoomMembers: 2 });
    const [a, b, c] = [
      await connectDevice(small),
      await connectDevice(small),
      await connectDevice(small),
    ];
    const { roomId } = await roomWith(a, [b]);
    expect(await c.client.expectError({ t: 'room.join', roomId })).toBe('ROOM_FULL');
    await Promise.all([a, b, c].map((d) => d.client.close()));
    await small.destroy();
  });
});
