import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { certToWire, prekeyToWire } from '../../../shared/crypto/keys.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { decodeEnvelope } from '../../../shared/protocol/envelope.ts';
import { registerUser, startClient, until } from '../../support/engine-client.ts';
import { testDevice } from '../../support/identities.ts';
import { startMaliciousRelay } from '../../support/malicious-relay.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

describe('a relay that hands out a wrong identity key', () => {
  it('is caught: the user is warned and nothing is sealed to the impostor', async () => {
    const evil = await startMaliciousRelay();
    cleanups.push(() => evil.close());
    const target = { ...evil.relay, wsUrl: evil.wsUrl };
    const aliceUser = await registerUser(target);
    const bobUser = await registerUser(target);
    const alice = await startClient(target, aliceUser);
    const bob = await startClient(target, bobUser);
    cleanups.push(() => alice.close());

    // Alice meets Bob over a verified link: his identity key is pinned.
    const dmId = await alice.openDm(bobUser.username);
    await bob.openDm(aliceUser.username);
    await until(
      () =>
        alice
          .dm(dmId)!
          .mesh.peers()
          .some((p) => p.verified),
      15_000,
      'DM link',
    );
    expect(alice.trust.get(bobUser.account.userId)?.ik).toBe(toB64(bobUser.account.ikPk));
    bob.close();
    await until(
      () =>
        !alice
          .dm(dmId)!
          .mesh.peers()
          .some((p) => p.verified),
      15_000,
      'bob gone',
    );

    // Now the relay lies about Bob's keys: a complete, self-consistent impostor.
    const impostor = testDevice();
    evil.toClient = (msg) =>
      msg.t === 'keys' && msg.userId === bobUser.account.userId
        ? {
            ...msg,
            ik: toB64(impostor.identity.publicKey),
            devices: [{ cert: certToWire(impostor.cert), spk: prekeyToWire(impostor.spk) }],
          }
        : msg;
    const sentBefore = evil.binaryFromClients.length;
    const warned = new Promise<string>((r) =>
      alice.trust.events.on('change', (rec) => r(rec.state)),
    );
    await expect(alice.sendText(dmId, 'for bob only')).rejects.toThrow(/identity key changed/);
    expect(await warned).toBe('changed');
    expect(alice.trust.get(bobUser.account.userId)).toMatchObject({
      state: 'changed',
      ik: toB64(bobUser.account.ikPk),
      presentedIk: toB64(impostor.identity.publicKey),
    });
    expect(alice.trust.canSendTo(bobUser.account.userId)).toBe(false);
    const toImpostor = evil.binaryFromClients
      .slice(sentBefore)
      .map((f) => decodeEnvelope(f))
      .filter((d) => d.ok && d.envelope.ids[0] === impostor.deviceId);
    expect(toImpostor).toEqual([]);
    // The refused message shows as failed and is not queued for later.
    const shown = alice.conversation(dmId)!.messages.value.find((m) => m.text === 'for bob only');
    expect(shown?.local?.state).toBe('failed');
    // And it stays blocked until the person decides.
    await expect(alice.sendText(dmId, 'again')).rejects.toThrow(/identity key changed/);
  }, 60_000);
});
