import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { LINK, WIRE_VERSION } from '../../../../shared/crypto/constants.ts';
import { frame, toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import {
  HANDSHAKE_TIMEOUT_MS,
  Handshake,
  type HandshakeOptions,
  type HandshakeStep,
  type HandshakeSuccess,
  type LinkFingerprint,
  transcriptHash,
} from '../../../../shared/crypto/handshake.ts';
import { directionKeys } from '../../../../shared/crypto/handshake-transcript.ts';
import { makeDeviceCert, newDeviceKey } from '../../../../shared/crypto/keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { flipBit, makeDevice, type TestDevice } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

const ROOM = 'room:7f3a';

function randomFp(): Uint8Array {
  return sodium().randombytes_buf(32);
}

interface Views {
  /** A's (local, remote) as A applied them. */
  a: [LinkFingerprint, LinkFingerprint];
  /** B's (local, remote) as B applied them. */
  b: [LinkFingerprint, LinkFingerprint];
}

function honestViews(): Views {
  const fpA = randomFp();
  const fpB = randomFp();
  return { a: [fpA, fpB], b: [fpB, fpA] };
}

function opts(
  me: TestDevice,
  [localFingerprint, remoteFingerprint]: [LinkFingerprint, LinkFingerprint],
  extra: Partial<HandshakeOptions> = {},
): HandshakeOptions {
  return {
    context: ROOM,
    local: { dk: me.dk, cert: me.cert },
    localFingerprint,
    remoteFingerprint,
    ...extra,
  };
}

interface Outcome {
  a: HandshakeStep | null;
  b: HandshakeStep | null;
}

/** Runs m1 → m2 → m3, optionally tampering with message k (0-based) on the wire. */
function run(
  aOpts: HandshakeOptions,
  bOpts: HandshakeOptions,
  tamper?: { message: number; edit: (m: Uint8Array) => Uint8Array },
): Outcome {
  const wire = (k: number, m: Uint8Array) => (tamper?.message === k ? tamper.edit(m) : m);
  const { handshake: a, message: m1 } = Handshake.initiate(aOpts);
  const b = Handshake.respond(bOpts);
  const bStep1 = b.receive(wire(0, m1));
  if (!bStep1.ok || !bStep1.value.reply) return { a: null, b: bStep1 };
  const aStep = a.receive(wire(1, bStep1.value.reply));
  if (!aStep.ok || !aStep.value.reply) return { a: aStep, b: null };
  const bStep2 = b.receive(wire(2, aStep.value.reply));
  return { a: aStep, b: bStep2 };
}

function done(step: HandshakeStep | null): HandshakeSuccess {
  if (!step?.ok || !step.value.done) {
    throw new Error(`handshake did not finish: ${JSON.stringify(step)}`);
  }
  return step.value.done;
}

function failed(step: HandshakeStep | null): boolean {
  return step !== null && !step.ok;
}

describe('link handshake', () => {
  it('authenticates both devices and agrees on the transcript and a working session', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const out = run(
      opts(alice, views.a, { expectedIk: bob.ik.publicKey, expectedDeviceId: bob.cert.deviceId }),
      opts(bob, views.b, { expectedIk: alice.ik.publicKey }),
    );
    const a = done(out.a);
    const b = done(out.b);
    expect(toHex(a.peer.ikPk)).toBe(toHex(bob.ik.publicKey));
    expect(toHex(a.peer.dkPk)).toBe(toHex(bob.dk.publicKey));
    expect(a.peer.deviceId).toBe(bob.cert.deviceId);
    expect(toHex(b.peer.ikPk)).toBe(toHex(alice.ik.publicKey));
    expect(b.peer.deviceId).toBe(alice.cert.deviceId);
    expect(toHex(a.transcriptHash)).toBe(toHex(b.transcriptHash));

    const toBob = b.session.open(a.session.seal(utf8('hello bob')));
    const toAlice = a.session.open(b.session.seal(utf8('hello alice')));
    expect(toBob.ok && new TextDecoder().decode(toBob.value.plaintext)).toBe('hello bob');
    expect(toAlice.ok && new TextDecoder().decode(toAlice.value.plaintext)).toBe('hello alice');
  });

  it('works on the relay path, where both sides use the "relay" marker', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const relay: [LinkFingerprint, LinkFingerprint] = [
      LINK.relayFingerprint,
      LINK.relayFingerprint,
    ];
    const out = run(opts(alice, relay), opts(bob, relay));
    expect(toHex(done(out.a).transcriptHash)).toBe(toHex(done(out.b).transcriptHash));
  });

  it('binds the room or DM: the same devices in another context do not agree', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const out = run(opts(alice, views.a), opts(bob, views.b, { context: 'dm:other' }));
    expect(out.a).toEqual({ ok: false, code: 'HANDSHAKE_DECRYPT_FAILED' });
  });

  it('fails on BOTH sides when a relay swaps the DTLS fingerprints', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('A remote', 'B remote', 'both remote', 'relay vs dtls'),
        (how) => {
          const alice = makeDevice();
          const bob = makeDevice();
          const fpA = randomFp();
          const fpB = randomFp();
          // The relay terminates DTLS itself and hands each side its own certificate.
          const views: Views = { a: [fpA, fpB], b: [fpB, fpA] };
          if (how === 'A remote' || how === 'both remote') views.a = [fpA, randomFp()];
          if (how === 'B remote' || how === 'both remote') views.b = [fpB, randomFp()];
          if (how === 'relay vs dtls') views.b = [LINK.relayFingerprint, LINK.relayFingerprint];

          // A side: B's m2 was sealed under B's th, A computes another th.
          const bEphemeral = { keyPair: sodium().crypto_kx_keypair(), nonce: randomFp() };
          const aEphemeral = { keyPair: sodium().crypto_kx_keypair(), nonce: randomFp() };
          const out = run(
            opts(alice, views.a, { ephemeral: aEphemeral }),
            opts(bob, views.b, { ephemeral: bEphemeral }),
          );
          expect(out.a).toEqual({ ok: false, code: 'HANDSHAKE_DECRYPT_FAILED' });

          // B side: even the best m3 the relay could obtain — one A made after a
          // successful handshake with a B that shared A's view and B's ephemeral —
          // is rejected by the real B, whose th differs.
          const realB = Handshake.respond(opts(bob, views.b, { ephemeral: bEphemeral }));
          const mirrorB = Handshake.respond(
            opts(bob, [views.a[1], views.a[0]], { ephemeral: bEphemeral }),
          );
          const { handshake: a2, message: m1 } = Handshake.initiate(
            opts(alice, views.a, { ephemeral: aEphemeral }),
          );
          const realM2 = realB.receive(m1);
          const mirrorM2 = mirrorB.receive(m1);
          if (!realM2.ok || !mirrorM2.ok || !mirrorM2.value.reply)
            throw new Error('m2 not produced');
          const aStep = a2.receive(mirrorM2.value.reply);
          if (!aStep.ok || !aStep.value.reply) throw new Error('mirror handshake should pass A');
          expect(realB.receive(aStep.value.reply)).toEqual({
            ok: false,
            code: 'HANDSHAKE_DECRYPT_FAILED',
          });
        },
      ),
      { numRuns: 8 },
    );
  });

  it('reports IDENTITY_MISMATCH with the presented key when the pinned IK differs', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const pinnedForBob = makeDevice().ik.publicKey;
    const views = honestViews();
    const out = run(opts(alice, views.a, { expectedIk: pinnedForBob }), opts(bob, views.b));
    expect(out.a?.ok).toBe(false);
    if (out.a?.ok !== false || out.a.code !== 'IDENTITY_MISMATCH') throw new Error('no mismatch');
    expect(toHex(out.a.presentedIk)).toBe(toHex(bob.ik.publicKey));
    expect(out.a.peer.deviceId).toBe(bob.cert.deviceId);
  });

  it('the responder also checks the pinned IK of the initiator', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const out = run(
      opts(alice, views.a),
      opts(bob, views.b, { expectedIk: makeDevice().ik.publicKey }),
    );
    expect(out.b?.ok === false && out.b.code).toBe('IDENTITY_MISMATCH');
  });

  it('a relay in the middle of the relay path is caught by the pinned IK on both sides', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const mallory = makeDevice();
    const relay: [LinkFingerprint, LinkFingerprint] = [
      LINK.relayFingerprint,
      LINK.relayFingerprint,
    ];
    // Mallory runs one handshake with each side, as herself.
    const toAlice = run(opts(alice, relay, { expectedIk: bob.ik.publicKey }), opts(mallory, relay));
    const toBob = run(opts(mallory, relay), opts(bob, relay, { expectedIk: alice.ik.publicKey }));
    expect(toAlice.a?.ok === false && toAlice.a.code).toBe('IDENTITY_MISMATCH');
    expect(toBob.b?.ok === false && toBob.b.code).toBe('IDENTITY_MISMATCH');
  });

  it('reports DEVICE_MISMATCH when another device of the right user answers', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const bobLaptop = makeDevice(bob.ik);
    const views = honestViews();
    const out = run(
      opts(alice, views.a, { expectedIk: bob.ik.publicKey, expectedDeviceId: bob.cert.deviceId }),
      opts(bobLaptop, views.b),
    );
    expect(out.a).toEqual({ ok: false, code: 'DEVICE_MISMATCH' });
  });

  it('rejects a device whose certificate was not signed by its identity', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const forged = { ...bob, cert: { ...bob.cert, sig: flipBit(bob.cert.sig, 9) } };
    const views = honestViews();
    expect(run(opts(alice, views.a), opts(forged, views.b)).a).toEqual({
      ok: false,
      code: 'CERT_INVALID',
    });
  });

  it('rejects a device that signs with a key other than its certified one', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    // Presents Bob's cert and DK, but holds (and signs with) some other key.
    const impostor = {
      ...bob,
      dk: { publicKey: bob.dk.publicKey, privateKey: newDeviceKey().privateKey },
    };
    const views = honestViews();
    expect(run(opts(alice, views.a), opts(impostor, views.b)).a).toEqual({
      ok: false,
      code: 'SIGNATURE_INVALID',
    });
  });

  it('rejects a device talking to itself (a reflected handshake)', () => {
    const alice = makeDevice();
    const views = honestViews();
    expect(run(opts(alice, views.a), opts(alice, views.b)).a).toEqual({
      ok: false,
      code: 'HANDSHAKE_REFLECTED',
    });
  });

  it('a flipped bit in any handshake message makes the handshake fail', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.nat(), (message, bit) => {
        const views = honestViews();
        const out = run(opts(alice, views.a), opts(bob, views.b), {
          message,
          edit: (m) => flipBit(m, bit % (m.length * 8)),
        });
        expect(failed(out.a) || failed(out.b)).toBe(true);
        expect(out.a?.ok && out.b?.ok && out.b.value.done !== null).toBeFalsy();
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary bytes in any state, and answers with a code', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (junk, asType) => {
        const views = honestViews();
        const bytes = asType && junk.length >= 2 ? Uint8Array.of(WIRE_VERSION, 2, ...junk) : junk;
        const b = Handshake.respond(opts(bob, views.b));
        const { handshake: a } = Handshake.initiate(opts(alice, views.a));
        for (const step of [b.receive(bytes), a.receive(bytes)]) {
          expect(step.ok).toBe(false);
          expect(typeof (step as { code: string }).code).toBe('string');
        }
      }),
      { numRuns: 100 },
    );
  });

  it('rejects a low-order ephemeral key', () => {
    const bob = makeDevice();
    const m1 = Uint8Array.of(
      WIRE_VERSION,
      1,
      0,
      0,
      0,
      32,
      ...new Uint8Array(32),
      0,
      0,
      0,
      32,
      ...randomFp(),
    );
    const b = Handshake.respond(opts(bob, honestViews().b));
    expect(b.receive(m1)).toEqual({ ok: false, code: 'HANDSHAKE_KEY_REJECTED' });
  });

  it('accepts no message once finished, failed or aborted', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const { handshake: a, message: m1 } = Handshake.initiate(opts(alice, views.a));
    const b = Handshake.respond(opts(bob, views.b));
    const m2 = b.receive(m1);
    if (!m2.ok || !m2.value.reply) throw new Error('no m2');
    expect(b.receive(m1)).toEqual({ ok: false, code: 'HANDSHAKE_MALFORMED' });
    expect(b.state).toBe('failed');
    a.abort();
    expect(a.state).toBe('failed');
    expect(a.receive(m2.value.reply)).toEqual({ ok: false, code: 'HANDSHAKE_UNEXPECTED' });
  });

  it('leaves the 10 s deadline to the caller', () => {
    expect(HANDSHAKE_TIMEOUT_MS).toBe(10_000);
  });

  it('a certificate for a new device of the same identity is accepted under the same pin', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const dk = newDeviceKey();
    const bobTablet = { ik: bob.ik, dk, cert: makeDeviceCert(bob.ik, dk.publicKey, 1) };
    const views = honestViews();
    const out = run(
      opts(alice, views.a, { expectedIk: bob.ik.publicKey }),
      opts(bobTablet, views.b),
    );
    expect(done(out.a).peer.deviceId).toBe(bobTablet.cert.deviceId);
  });

  it('th is generichash(32) over the framed public values, fingerprints as applied', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const aE = { keyPair: sodium().crypto_kx_keypair(), nonce: randomFp() };
    const bE = { keyPair: sodium().crypto_kx_keypair(), nonce: randomFp() };
    const out = run(opts(alice, views.a, { ephemeral: aE }), opts(bob, views.b, { ephemeral: bE }));
    const expected = sodium().crypto_generichash(
      32,
      frame(
        'parley/hs/v1',
        ROOM,
        aE.keyPair.publicKey,
        bE.keyPair.publicKey,
        aE.nonce,
        bE.nonce,
        views.a[0],
        views.a[1],
      ),
      null,
    );
    expect(toHex(done(out.a).transcriptHash)).toBe(toHex(expected));
  });

  // Vectors computed independently (Python hashlib.blake2b: keyed, salt = LE64 subkey id,
  // person = context), so the encoding and key schedule cannot drift unnoticed.
  it('matches known-answer vectors for th and the per-direction keys', () => {
    const fill = (b: number) => new Uint8Array(32).fill(b);
    const th = transcriptHash({
      context: 'room:kat',
      eA: fill(1),
      eB: fill(2),
      nA: fill(3),
      nB: fill(4),
      fpA: fill(5),
      fpB: LINK.relayFingerprint,
    });
    expect(toHex(th)).toBe('139f063e882abf7fa3baa0808414ba9fec2105b323c8ac5c4fa3015b6a1274c5');
    const keys = directionKeys(fill(7));
    expect(toHex(keys.hk)).toBe('5bbe17403534b0356d74086a652953180f2e0215223a579a091f711ddb1e3fad');
    expect(toHex(keys.traffic)).toBe(
      'e9060b6550ba9c683134e32408b727912cd209ccc507a7637592ba46d55cdd37',
    );
  });

  it('rejects m2 and m3 replayed from an earlier handshake between the same devices', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const first = Handshake.initiate(opts(alice, views.a));
    const firstB = Handshake.respond(opts(bob, views.b));
    const oldM2 = firstB.receive(first.message);
    if (!oldM2.ok || !oldM2.value.reply) throw new Error('no m2');
    const oldM3 = first.handshake.receive(oldM2.value.reply);
    if (!oldM3.ok || !oldM3.value.reply) throw new Error('no m3');

    const again = Handshake.initiate(opts(alice, views.a));
    expect(again.handshake.receive(oldM2.value.reply)).toEqual({
      ok: false,
      code: 'HANDSHAKE_DECRYPT_FAILED',
    });
    const againB = Handshake.respond(opts(bob, views.b));
    const fresh = Handshake.initiate(opts(alice, views.a));
    expect(againB.receive(fresh.message).ok).toBe(true);
    expect(againB.receive(oldM3.value.reply)).toEqual({
      ok: false,
      code: 'HANDSHAKE_DECRYPT_FAILED',
    });
  });

  it('hands over sessions that rekey, and close with FINAL, in both directions', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const views = honestViews();
    const session = { rekeyIntervalFrames: 3 };
    const out = run(opts(alice, views.a, { session }), opts(bob, views.b, { session }));
    const a = done(out.a).session;
    const b = done(out.b).session;
    for (let i = 0; i < 10; i++) {
      const toB = b.open(a.seal(Uint8Array.of(i)));
      const toA = a.open(b.seal(Uint8Array.of(100 + i)));
      expect(toB.ok && toB.value.plaintext[0]).toBe(i);
      expect(toA.ok && toA.value.plaintext[0]).toBe(100 + i);
    }
    const last = a.close();
    const end = b.open(last!);
    expect(end.ok && end.value.final).toBe(true);
    expect(b.peerEndedCleanly).toBe(true);
  });
});
