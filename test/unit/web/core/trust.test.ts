import { describe, expect, it } from 'vitest';
import { memoryPinStorage, TrustStore } from '../../../../web/core/trust.ts';

const IK_A = 'A'.repeat(43);
const IK_B = 'B'.repeat(43);
const IK_C = 'C'.repeat(43);

describe('trust on first use', () => {
  it('the first key seen for a user is pinned, and the same key later matches', async () => {
    const trust = await TrustStore.open(memoryPinStorage());
    expect(await trust.observe('u1', 'alice', IK_A)).toBe('pinned-now');
    expect(await trust.observe('u1', 'alice', IK_A)).toBe('match');
    expect(trust.get('u1')?.state).toBe('pinned');
    expect(trust.canSendTo('u1')).toBe(true);
  });

  it('a different key blocks sending to that user until the person accepts it', async () => {
    const trust = await TrustStore.open(memoryPinStorage());
    await trust.observe('u1', 'alice', IK_A);
    expect(await trust.observe('u1', 'alice', IK_B)).toBe('changed');
    expect(trust.canSendTo('u1')).toBe(false);
    expect(trust.get('u1')).toMatchObject({ state: 'changed', ik: IK_A, presentedIk: IK_B });
    // The pinned key is still what handshakes are held to.
    expect(trust.expectedIk('u1')).toHaveLength(32);
    await trust.acceptChange('u1');
    expect(trust.get('u1')).toMatchObject({ state: 'pinned', ik: IK_B });
    expect(trust.canSendTo('u1')).toBe(true);
  });

  it('accepting a change drops verification: the new key has not been checked', async () => {
    const trust = await TrustStore.open(memoryPinStorage());
    await trust.observe('u1', 'alice', IK_A);
    await trust.markVerified('u1', IK_A);
    expect(trust.get('u1')?.state).toBe('verified');
    await trust.observe('u1', 'alice', IK_B);
    await trust.acceptChange('u1');
    expect(trust.get('u1')?.state).toBe('pinned');
    expect(trust.get('u1')?.verifiedAtMs).toBeUndefined();
  });

  it('verification is refused for a key other than the pinned one', async () => {
    const trust = await TrustStore.open(memoryPinStorage());
    await trust.observe('u1', 'alice', IK_A);
    await expect(trust.markVerified('u1', IK_C)).rejects.toThrow();
    await trust.observe('u1', 'alice', IK_B);
    await expect(trust.markVerified('u1', IK_A)).rejects.toThrow();
    expect(trust.get('u1')?.state).toBe('changed');
  });

  it('pins and their states survive a reload', async () => {
    const storage = memoryPinStorage();
    const first = await TrustStore.open(storage);
    await first.observe('u1', 'alice', IK_A);
    await first.markVerified('u1', IK_A);
    await first.observe('u2', 'bob', IK_B);
    await first.observe('u2', 'bob', IK_C);
    const second = await TrustStore.open(storage);
    expect(second.get('u1')?.state).toBe('verified');
    expect(second.get('u2')).toMatchObject({ state: 'changed', presentedIk: IK_C });
    expect(second.canSendTo('u2')).toBe(false);
  });

  it('every change is announced for the UI', async () => {
    const trust = await TrustStore.open(memoryPinStorage());
    const seen: string[] = [];
    trust.events.on('change', (r) => seen.push(`${r.username}:${r.state}`));
    await trust.observe('u1', 'alice', IK_A);
    await trust.observe('u1', 'alice', IK_B);
    await trust.observe('u1', 'alice', IK_B);
    expect(seen).toEqual(['alice:pinned', 'alice:changed']);
  });
});
