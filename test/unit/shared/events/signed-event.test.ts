import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN } from '../../../../shared/crypto/constants.ts';
import { frame, toB64 } from '../../../../shared/crypto/encoding.ts';
import { deviceIdOf, identityFromSeed, newDeviceKey } from '../../../../shared/crypto/keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../../../shared/events/event-schema.ts';
import {
  MAX_EVENT_BYTES,
  newEventId,
  signEvent,
  verifyEvent,
} from '../../../../shared/events/signed-event.ts';

beforeAll(async () => {
  await loadSodium();
});

function author() {
  const ik = identityFromSeed(sodium().randombytes_buf(32));
  const dk = newDeviceKey();
  return { ik, dk, signer: { dkPk: dk.publicKey, ikB64: toB64(ik.publicKey) } };
}

function textEvent(a: ReturnType<typeof author>, text = 'hello'): ChatEvent {
  return {
    v: 1,
    id: newEventId(),
    conv: 'room-1',
    authorIk: toB64(a.ik.publicKey),
    authorDevice: deviceIdOf(a.dk.publicKey),
    lamport: 1,
    ts: 1_700_000_000_000,
    body: { type: 'text', text },
  };
}

describe('signed events', () => {
  it('an event signed by its author verifies and round-trips', () => {
    const a = author();
    const event = textEvent(a, '**bold** and _italic_ 🎉');
    const result = verifyEvent(signEvent(event, a.dk.privateKey), a.signer);
    expect(result).toEqual({ ok: true, value: event });
  });

  it('any flipped bit in the bytes or the signature is rejected', () => {
    const a = author();
    const signed = signEvent(textEvent(a), a.dk.privateKey);
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), (inSig, pos, bit) => {
        const bytes = signed.bytes.slice();
        const sig = signed.sig.slice();
        const target = inSig ? sig : bytes;
        const i = pos % target.length;
        target[i] = target[i]! ^ (1 << bit);
        expect(verifyEvent({ bytes, sig }, a.signer).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('a member cannot pass off an event as another member’s', () => {
    const alice = author();
    const mallory = author();
    // Mallory writes an event naming Alice as author and signs it herself.
    const forged = signEvent(textEvent(alice), mallory.dk.privateKey);
    expect(verifyEvent(forged, alice.signer)).toEqual({ ok: false, code: 'EVENT_BAD_SIGNATURE' });
    expect(verifyEvent(forged, mallory.signer)).toEqual({ ok: false, code: 'EVENT_WRONG_AUTHOR' });
  });

  it('an event claiming another identity for the same device is rejected', () => {
    const a = author();
    const other = author();
    const event = { ...textEvent(a), authorIk: toB64(other.ik.publicKey) };
    const signed = signEvent(event, a.dk.privateKey);
    expect(verifyEvent(signed, a.signer)).toEqual({ ok: false, code: 'EVENT_WRONG_AUTHOR' });
  });

  it('well-signed garbage is rejected as malformed, not thrown', () => {
    const a = author();
    const s = sodium();
    const bad = (json: string) => {
      const bytes = new TextEncoder().encode(json);
      const sig = s.crypto_sign_detached(frame(DOMAIN.event, bytes), a.dk.privateKey);
      return verifyEvent({ bytes, sig }, a.signer);
    };
    const base = textEvent(a);
    expect(bad('not json')).toEqual({ ok: false, code: 'EVENT_MALFORMED' });
    expect(bad(JSON.stringify({ ...base, extra: 1 }))).toEqual({
      ok: false,
      code: 'EVENT_MALFORMED',
    });
    expect(
      bad(JSON.stringify({ ...base, body: { type: 'text', text: 'x'.repeat(16_001) } })),
    ).toEqual({
      ok: false,
      code: 'EVENT_MALFORMED',
    });
    expect(bad(JSON.stringify({ ...base, body: { type: 'shell', cmd: 'rm' } }))).toEqual({
      ok: false,
      code: 'EVENT_MALFORMED',
    });
    expect(bad(JSON.stringify({ ...base, lamport: -1 }))).toEqual({
      ok: false,
      code: 'EVENT_MALFORMED',
    });
  });

  it('oversized events are refused before any parsing', () => {
    const a = author();
    const bytes = new Uint8Array(MAX_EVENT_BYTES + 1);
    expect(verifyEvent({ bytes, sig: new Uint8Array(64) }, a.signer)).toEqual({
      ok: false,
      code: 'EVENT_TOO_LARGE',
    });
  });

  it('event ids are 16 random bytes and do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newEventId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
