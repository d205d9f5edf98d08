import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { Link, type LinkCloseReason } from '../../../web/core/link.ts';
import { PeerTransport } from '../../../web/core/transport/peer-transport.ts';
import { type TestDevice, testDevice } from '../../support/identities.ts';
import { memoryPair } from '../../support/memory-transport.ts';
import { nodeWrtc } from '../../support/node-wrtc.ts';

const transports: PeerTransport[] = [];
afterAll(() => {
  for (const t of transports) t.close();
});

beforeAll(async () => {
  await loadSodium();
});

function peerPair(): [PeerTransport, PeerTransport] {
  const a = new PeerTransport({ initiator: true, iceServers: [], wrtc: nodeWrtc });
  const b = new PeerTransport({ initiator: false, iceServers: [], wrtc: nodeWrtc });
  transports.push(a, b);
  a.events.on('signal', (s) => b.receiveSignal(s));
  b.events.on('signal', (s) => a.receiveSignal(s));
  return [a, b];
}

function link(
  transport: ConstructorParameters<typeof Link>[0]['transport'],
  role: 'initiator' | 'responder',
  me: TestDevice,
  extra: { expectedIk?: Uint8Array; context?: string; handshakeTimeoutMs?: number } = {},
) {
  return new Link({
    transport,
    role,
    context: extra.context ?? 'room-1',
    local: { dk: me.dk, cert: me.cert },
    ...(extra.expectedIk ? { expectedIk: extra.expectedIk } : {}),
    ...(extra.handshakeTimeoutMs ? { handshakeTimeoutMs: extra.handshakeTimeoutMs } : {}),
  });
}

const opened = (l: Link) =>
  new Promise<NonNullable<Link['peer']>>((resolve, reject) => {
    l.events.once('open', resolve);
    l.events.once('close', (r) => reject(new Error(r)));
  });
const closed = (l: Link) => new Promise<LinkCloseReason>((r) => l.events.once('close', r));

describe('links over real WebRTC', () => {
  it('two devices verify each other and exchange encrypted messages', async () => {
    const alice = testDevice();
    const bob = testDevice();
    const [ta, tb] = peerPair();
    const la = link(ta, 'initiator', alice, { expectedIk: bob.identity.publicKey });
    const lb = link(tb, 'responder', bob, { expectedIk: alice.identity.publicKey });
    const [peerOfA, peerOfB] = await Promise.all([opened(la), opened(lb)]);
    expect(peerOfA.ikPk).toEqual(bob.identity.publicKey);
    expect(peerOfA.deviceId).toBe(bob.deviceId);
    expect(peerOfB.ikPk).toEqual(alice.identity.publicKey);
    const got = new Promise<Uint8Array>((r) => lb.events.once('message', r));
    expect(la.send(utf8('hello bob'))).toBe(true);
    expect(new TextDecoder().decode(await got)).toBe('hello bob');
    la.close();
    lb.close();
  });

  it('a relay that terminates DTLS on both sides (swapped fingerprints) is caught by both', async () => {
    const alice = testDevice();
    const bob = testDevice();
    // The malicious relay answers Alice's offer itself and makes its own
    // offer to Bob, then pipes the data channels together: DTLS succeeds on
    // both hops, with the relay's certificates in the middle.
    const [toAlice, fromAlice] = peerPair();
    const [toBob, fromBob] = peerPair();
    await Promise.all(
      [toAlice, fromAlice, toBob, fromBob].map(
        (t) => new Promise<void>((r) => t.events.once('open', r)),
      ),
    );
    let piped = 0;
    fromAlice.events.on('message', (m) => {
      piped++;
      toBob.send(m);
    });
    toBob.events.on('message', (m) => {
      piped++;
      fromAlice.send(m);
    });
    const timeouts = { handshakeTimeoutMs: 1_500 };
    const la = link(toAlice, 'initiator', alice, {
      expectedIk: bob.identity.publicKey,
      ...timeouts,
    });
    const lb = link(fromBob, 'responder', bob, {
      expectedIk: alice.identity.publicKey,
      ...timeouts,
    });
    let accepted = 0;
    la.events.on('open', () => accepted++);
    lb.events.on('open', () => accepted++);
    const [ra, rb] = await Promise.all([closed(la), closed(lb)]);
    expect(piped).toBeGreaterThan(0);
    expect(accepted).toBe(0);
    // Alice rejects Bob's response: its AEAD is bound to a transcript with
    // other fingerprints. Bob never receives a finish he can accept.
    expect(ra).toMatch(/HANDSHAKE_DECRYPT_FAILED|SIGNATURE_INVALID/);
    expect(rb).toMatch(/HANDSHAKE_TIMEOUT|CLOSED_REMOTELY|HANDSHAKE_DECRYPT_FAILED/);
  });

  it('a device presenting another identity than the pinned one is flagged, not trusted', async () => {
    const alice = testDevice();
    const bob = testDevice();
    const mallory = testDevice();
    const [ta, tb] = memoryPair();
    // Alice pinned Bob's IK; the relay connects her to Mallory instead.
    const la = link(ta, 'initiator', alice, { expectedIk: bob.identity.publicKey });
    link(tb, 'responder', mallory);
    const mismatch = new Promise<Uint8Array>((r) =>
      la.events.once('identityMismatch', ({ presentedIk }) => r(presentedIk)),
    );
    const reason = closed(la);
    expect(await mismatch).toEqual(mallory.identity.publicKey);
    expect(await reason).toBe('IDENTITY_MISMATCH');
    expect(la.send(utf8('secret'))).toBe(false);
  });

  it('a link made for one room does not complete in another', async () => {
    const alice = testDevice();
    const bob = testDevice();
    const [ta, tb] = memoryPair();
    const la = link(ta, 'initiator', alice, { context: 'room-a' });
    const lb = link(tb, 'responder', bob, { context: 'room-b' });
    const reasons = await Promise.all([closed(la), Promise.race([closed(lb), opened(lb)])]);
    expect(reasons[0]).toMatch(/HANDSHAKE_DECRYPT_FAILED|SIGNATURE_INVALID/);
  });

  it('a flipped bit in traffic closes the link and nothing is delivered', async () => {
    const alice = testDevice();
    const bob = testDevice();
    const [ta, tb] = memoryPair();
    const la = link(ta, 'initiator', alice);
    const lb = link(tb, 'responder', bob);
    await Promise.all([opened(la), opened(lb)]);
    const delivered: Uint8Array[] = [];
    lb.events.on('message', (m) => delivered.push(m));
    ta.tamper = (frame) => {
      frame[frame.length - 1]! ^= 1;
      return frame;
    };
    la.send(utf8('tampered'));
    expect(await closed(lb)).toBe('LINK_DECRYPT_FAILED');
    expect(delivered).toEqual([]);
  });

  it('a replayed or dropped frame closes the link', async () => {
    for (const attack of ['replay', 'drop'] as const) {
      const [ta, tb] = memoryPair();
      const la = link(ta, 'initiator', testDevice());
      const lb = link(tb, 'responder', testDevice());
      await Promise.all([opened(la), opened(lb)]);
      const delivered: string[] = [];
      lb.events.on('message', (m) => delivered.push(new TextDecoder().decode(m)));
      let first: Uint8Array | null = null;
      ta.tamper = (frame) => {
        if (!first) {
          first = frame;
          return attack === 'drop' ? null : frame;
        }
        return attack === 'replay' ? first : frame;
      };
      la.send(utf8('one'));
      la.send(utf8('two'));
      expect(await closed(lb)).toBe('LINK_DECRYPT_FAILED');
      expect(delivered).toEqual(attack === 'replay' ? ['one'] : []);
    }
  });

  it('a handshake that never completes is abandoned', async () => {
    const [ta] = memoryPair();
    const device = testDevice();
    const la = new Link({
      transport: ta,
      role: 'initiator',
      context: 'room-1',
      local: { dk: device.dk, cert: device.cert },
      handshakeTimeoutMs: 200,
    });
    expect(await closed(la)).toBe('HANDSHAKE_TIMEOUT');
  });
});
