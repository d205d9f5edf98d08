/**
 * Attacks on rooms and DMs: reaching non-members, private-room invites
 * (guessed, borrowed, or recovered from the relay's files), and blocks.
 * Kicks, bans and roles: attack-moderation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { fromB64 } from '../../../shared/crypto/encoding.ts';
import { clientEnvelope } from '../../../shared/protocol/envelope.ts';
import { containsBytes, databaseBytes, randomId, roomAttackRelay } from './attack-support.ts';
import { roomWith } from './harness.ts';

const fixture = roomAttackRelay();
const { user, receivedNothing } = fixture;

describe('reaching people you share nothing with', () => {
  it('signalling a stranger is FORBIDDEN, exactly as for a device that does not exist', async () => {
    const [mallory, stranger] = [await user(), await user()];
    for (const to of [stranger.deviceId, randomId()]) {
      expect(await mallory.client.expectError({ t: 'signal', to, data: 'offer' })).toBe(
        'FORBIDDEN',
      );
    }
    expect(stranger.client.inbox.filter((m) => m.t === 'signal')).toEqual([]);
  });

  it('envelopes to a stranger, a foreign room or a made-up room are FORBIDDEN and go nowhere', async () => {
    const [mallory, owner, member] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [member], 'private');
    const targets = [
      clientEnvelope({ device: member.deviceId }, new Uint8Array([1]), { storeIfOffline: true }),
      clientEnvelope({ room: roomId }, new Uint8Array([2]), { storeIfOffline: true }),
      clientEnvelope({ room: randomId() }, new Uint8Array([3])),
    ];
    for (const bytes of targets) {
      mallory.client.sendBinary(bytes);
      expect((await mallory.client.next('envelope.error')).code).toBe('FORBIDDEN');
    }
    expect(await receivedNothing(member)).toBe(true);
    expect(await receivedNothing(owner)).toBe(true);
    expect(fixture.relay().store.countMail(member.deviceId, Date.now())).toBe(0);
  });

  it('a private room is not listed and its members are not shown to outsiders', async () => {
    const [owner, outsider] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [], 'private');
    const listed = await outsider.client.expect('room.public.ok', { t: 'room.public' });
    expect(listed.rooms.map((r) => r.id)).not.toContain(roomId);
    expect(await outsider.client.expectError({ t: 'room.members', roomId })).toBe('NOT_MEMBER');
    expect(await outsider.client.expectError({ t: 'room.invite', roomId })).toBe('NOT_MEMBER');
  });
});

describe('private room invites', () => {
  it('joining a private room with no code, a random code, or another room’s code fails', async () => {
    const [owner, otherOwner, mallory] = [await user(), await user(), await user()];
    const { roomId } = await roomWith(owner, [], 'private');
    const other = await roomWith(otherOwner, [], 'private');
    for (const invite of [undefined, randomId(), other.invite]) {
      const msg = { t: 'room.join', roomId, ...(invite ? { invite } : {}) };
      expect(await mallory.client.expectError(msg)).toBe('INVITE_INVALID');
    }
    expect(
      await mallory.client.expectError({ t: 'room.join', roomId, invite: 'not-base64!' }),
    ).toBe('SCHEMA');
  });

  it('invite codes are stored only as hashes (no code, in text or bytes, in the database files)', async () => {
    const owner = await user();
    const created = await owner.client.expect('room.created', {
      t: 'room.create',
      name: 'secret club',
      visibility: 'private',
    });
    const more = await owner.client.expect('room.invite.ok', {
      t: 'room.invite',
      roomId: created.room.id,
    });
    const codes = [created.invite!, more.invite];
    const files = databaseBytes(fixture.relay());
    expect(files.length).toBeGreaterThan(0);
    for (const code of codes) {
      expect(files.includes(code), 'invite code text in the database').toBe(false);
      expect(containsBytes(files, fromB64(code)), 'invite code bytes in the database').toBe(false);
    }
    // The room itself is there, so the search looked at the right files.
    expect(files.includes(created.room.id)).toBe(true);
  });
});

describe('direct-message blocks', () => {
  it('a block stops envelopes and mailbox storage from the blocked user, not just signalling', async () => {
    const [mallory, bob] = [await user(), await user()];
    await mallory.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    mallory.client.sendBinary(clientEnvelope({ device: bob.deviceId }, new Uint8Array([1])));
    expect((await bob.client.nextBinary()).payload[0]).toBe(1);
    await bob.client.expect('ok', { t: 'dm.block', username: mallory.keys.username });
    mallory.client.sendBinary(clientEnvelope({ device: bob.deviceId }, new Uint8Array([2])));
    expect((await mallory.client.next('envelope.error')).code).toBe('FORBIDDEN');
    expect(await mallory.client.expectError({ t: 'signal', to: bob.deviceId, data: 'x' })).toBe(
      'FORBIDDEN',
    );
    // Re-opening the DM does not undo the block, online or offline.
    expect(await mallory.client.expectError({ t: 'dm.open', username: bob.keys.username })).toBe(
      'FORBIDDEN',
    );
    await bob.client.close();
    mallory.client.sendBinary(
      clientEnvelope({ device: bob.deviceId }, new Uint8Array([3]), { storeIfOffline: true }),
    );
    expect((await mallory.client.next('envelope.error')).code).toBe('FORBIDDEN');
    expect(fixture.relay().store.countMail(bob.deviceId, Date.now())).toBe(0);
  });
});
