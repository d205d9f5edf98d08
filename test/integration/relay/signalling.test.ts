import { describe, expect, it } from 'vitest';
import { roomWith } from './harness.ts';
import { sharedRelay } from './shared-relay.ts';

const shared = sharedRelay();
const { user } = shared;

const SDP = JSON.stringify({ type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' });

describe('signalling', () => {
  it('SDP and ICE are forwarded untouched between co-members, naming the proven sender', async () => {
    const [alice, bob] = [await user(), await user()];
    await roomWith(alice, [bob]);
    await alice.client.expect('ok', { t: 'signal', to: bob.deviceId, data: SDP });
    const got = await bob.client.next('signal');
    expect(got).toEqual({ t: 'signal', from: alice.deviceId, fromUser: alice.userId, data: SDP });
  });

  it('signalling to a device that shares no room or DM is FORBIDDEN', async () => {
    const [alice, stranger] = [await user(), await user()];
    expect(await alice.client.expectError({ t: 'signal', to: stranger.deviceId, data: SDP })).toBe(
      'FORBIDDEN',
    );
    // An unknown device id answers the same, so signalling cannot probe for devices.
    expect(
      await alice.client.expectError({ t: 'signal', to: `${'B'.repeat(21)}A`, data: SDP }),
    ).toBe('FORBIDDEN');
    expect(stranger.client.inbox.filter((m) => m.t === 'signal')).toEqual([]);
  });

  it('a kicked member can no longer signal former co-members', async () => {
    const [owner, member] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [member]);
    await member.client.expect('ok', { t: 'signal', to: owner.deviceId, data: SDP });
    await owner.client.expect('ok', { t: 'room.kick', roomId, userId: member.userId });
    expect(await member.client.expectError({ t: 'signal', to: owner.deviceId, data: SDP })).toBe(
      'FORBIDDEN',
    );
  });

  it('a banned member trying again is FORBIDDEN and cannot rejoin to regain it', async () => {
    const [owner, member] = [await user(), await user()];
    const { roomId } = await roomWith(owner, [member]);
    await owner.client.expect('ok', { t: 'room.ban', roomId, userId: member.userId });
    expect(await member.client.expectError({ t: 'signal', to: owner.deviceId, data: SDP })).toBe(
      'FORBIDDEN',
    );
    expect(await member.client.expectError({ t: 'room.join', roomId })).toBe('BANNED');
    expect(await member.client.expectError({ t: 'signal', to: owner.deviceId, data: SDP })).toBe(
      'FORBIDDEN',
    );
  });

  it('an opened DM allows signalling both ways; a block stops it', async () => {
    const [alice, bob] = [await user(), await user()];
    const dm = await alice.client.expect('dm.ok', { t: 'dm.open', username: bob.keys.username });
    expect(dm).toMatchObject({ userId: bob.userId, online: [bob.deviceId] });
    await alice.client.expect('ok', { t: 'signal', to: bob.deviceId, data: SDP });
    await bob.client.next('signal');
    await bob.client.expect('ok', { t: 'signal', to: alice.deviceId, data: SDP });
    await alice.client.next('signal');

    await bob.client.expect('ok', { t: 'dm.block', username: alice.keys.username });
    expect(await alice.client.expectError({ t: 'signal', to: bob.deviceId, data: SDP })).toBe(
      'FORBIDDEN',
    );
    expect(await alice.client.expectError({ t: 'dm.open', username: bob.keys.username })).toBe(
      'FORBIDDEN',
    );
  });

  it('signalling to an offline co-member device is NOT_ONLINE', async () => {
    const [alice, bob] = [await user(), await user()];
    await roomWith(alice, [bob]);
    await bob.client.close();
    expect(await alice.client.expectError({ t: 'signal', to: bob.deviceId, data: SDP })).toBe(
      'NOT_ONLINE',
    );
  });
});
