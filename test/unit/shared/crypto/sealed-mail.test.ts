import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { SEALED_MAIL } from '../../../../shared/crypto/constants.ts';
import { fromHex, fromUtf8, toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import {
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
} from '../../../../shared/crypto/keys.ts';
import {
  type MailPrekey,
  mailPrekeyId,
  openMail,
  sealMail,
} from '../../../../shared/crypto/sealed-mail.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

const T = 1_763_700_000_000;

/** A user with one device, its cert and a signed prekey. */
function user() {
  const ik = identityFromSeed(newIdentitySeed());
  const device = newDeviceKey();
  const cert = makeDeviceCert(ik, device.publicKey, T);
  const spk = makeSignedPrekey(device, 1, T);
  return { ik, device, cert, spk, prekeys: [spk] as MailPrekey[] };
}

function mailFrom(from: ReturnType<typeof user>, to: ReturnType<typeof user>, body = 'hi Bob') {
  return sealMail({
    from: { device: from.device, cert: from.cert },
    toIkPk: to.ik.publicKey,
    toPrekey: to.spk,
    msgId: 'msg_1',
    ts: T + 5,
    body: utf8(body),
  });
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

describe('sealed mail for an offline contact', () => {
  it('the recipient opens it and learns who sent it, from which device', () => {
    const alice = user();
    const bob = user();
    const r = openMail(mailFrom(alice, bob, 'canary 7f3e'), bob.prekeys, bob.ik.publicKey);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(toHex(r.value.fromIkPk)).toBe(toHex(alice.ik.publicKey));
    expect(toHex(r.value.fromDkPk)).toBe(toHex(alice.device.publicKey));
    expect(r.value.fromDeviceId).toBe(alice.cert.deviceId);
    expect(r.value.msgId).toBe('msg_1');
    expect(r.value.ts).toBe(T + 5);
    expect(fromUtf8(r.value.body)).toBe('canary 7f3e');
  });

  it('the relay sees neither the body nor the sender, and sizes are padded to 256', () => {
    const alice = user();
    const bob = user();
    const short = mailFrom(alice, bob, 'canary 7f3e');
    const longer = mailFrom(alice, bob, 'canary 7f3e plus some more words');
    expect(toHex(short)).not.toContain(toHex(utf8('canary')));
    expect(toHex(short)).not.toContain(toHex(alice.ik.publicKey));
    expect(toHex(short)).not.toContain(toHex(alice.device.publicKey));
    expect(short.length).toBe(longer.length);
    expect((short.length - 5 - 48) % SEALED_MAIL.padBlockBytes).toBe(0);
  });

  it('mail addressed to someone else is refused (bound to the recipient IK)', () => {
    const alice = user();
    const bob = user();
    const carol = user();
    // Sealed to Carol's prekey but addressed (and signed) to Bob.
    const mail = sealMail({
      from: { device: alice.device, cert: alice.cert },
      toIkPk: bob.ik.publicKey,
      toPrekey: carol.spk,
      msgId: 'm',
      ts: T,
      body: utf8('for Bob'),
    });
    expect(openMail(mail, carol.prekeys, carol.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_WRONG_RECIPIENT',
    });
  });

  it('a message re-sealed by its recipient to a third party is detected', () => {
    const alice = user();
    const bob = user();
    const carol = user();
    const mail = mailFrom(alice, bob);
    // Bob opens Alice's mail, then re-seals the same inner bytes to Carol.
    const s = sodium();
    const padded = s.crypto_box_seal_open(mail.subarray(5), bob.spk.publicKey, bob.spk.privateKey);
    const resealed = new Uint8Array(mail.length);
    resealed.set(mail.subarray(0, 5), 0);
    resealed.set(s.crypto_box_seal(padded, carol.spk.publicKey), 5);
    expect(openMail(resealed, carol.prekeys, carol.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_WRONG_RECIPIENT',
    });
    // Addressing it to Carol instead breaks Alice's signature.
    const inner = s.unpad(padded, 256);
    const bobHex = toHex(bob.ik.publicKey);
    const readdressed = fromHexSwap(inner, bobHex, toHex(carol.ik.publicKey));
    const forged = new Uint8Array(mail.length);
    forged.set(mail.subarray(0, 5), 0);
    forged.set(s.crypto_box_seal(s.pad(readdressed, 256), carol.spk.publicKey), 5);
    expect(openMail(forged, carol.prekeys, carol.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_BAD_SIGNATURE',
    });
  });

  it('a forged sender is refused: a device not certified by the claimed identity', () => {
    const alice = user();
    const bob = user();
    const mallory = user();
    // Mallory signs with her own device but presents a cert claiming Alice's IK.
    const mail = sealMail({
      from: { device: mallory.device, cert: { ...mallory.cert, ikPk: alice.ik.publicKey } },
      toIkPk: bob.ik.publicKey,
      toPrekey: bob.spk,
      msgId: 'm',
      ts: T,
      body: utf8('it is me, Alice'),
    });
    expect(openMail(mail, bob.prekeys, bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_BAD_CERT',
    });
  });

  it('a device that signs with a key other than its certified one is refused', () => {
    const alice = user();
    const bob = user();
    const stolenCert = alice.cert;
    const mail = sealMail({
      from: { device: newDeviceKey(), cert: stolenCert },
      toIkPk: bob.ik.publicKey,
      toPrekey: bob.spk,
      msgId: 'm',
      ts: T,
      body: utf8('x'),
    });
    expect(openMail(mail, bob.prekeys, bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_BAD_SIGNATURE',
    });
  });

  it('any flipped bit in the stored mail is detected', () => {
    const alice = user();
    const bob = user();
    const mail = mailFrom(alice, bob);
    fc.assert(
      fc.property(fc.nat(mail.length * 8 - 1), (bit) => {
        expect(openMail(flipBit(mail, bit), bob.prekeys, bob.ik.publicKey).ok).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('an unknown prekey, bad padding or garbage is refused with its code', () => {
    const alice = user();
    const bob = user();
    const mail = mailFrom(alice, bob);
    expect(mailPrekeyId(mail)).toBe(1);
    expect(openMail(mail, [], bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_UNKNOWN_PREKEY',
    });
    expect(openMail(mail.subarray(0, 20), bob.prekeys, bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_MALFORMED',
    });
    const s = sodium();
    // A sealed box whose plaintext is not padded to the block.
    const unpadded = new Uint8Array(5 + 48 + 100);
    unpadded.set(mail.subarray(0, 5), 0);
    unpadded.set(s.crypto_box_seal(new Uint8Array(100), bob.spk.publicKey), 5);
    expect(openMail(unpadded, bob.prekeys, bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_BAD_PADDING',
    });
    // Properly padded junk.
    const junk = new Uint8Array(5 + 48 + 256);
    junk.set(mail.subarray(0, 5), 0);
    junk.set(s.crypto_box_seal(s.pad(utf8('junk'), 256), bob.spk.publicKey), 5);
    expect(openMail(junk, bob.prekeys, bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_MALFORMED',
    });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        expect(openMail(bytes, bob.prekeys, bob.ik.publicKey).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('mail sealed to an older prekey still opens while that prekey is kept', () => {
    const alice = user();
    const bob = user();
    const mail = mailFrom(alice, bob);
    const newer = makeSignedPrekey(bob.device, 2, T + 7 * 86_400_000);
    expect(openMail(mail, [newer, bob.spk], bob.ik.publicKey).ok).toBe(true);
    expect(openMail(mail, [newer], bob.ik.publicKey)).toEqual({
      ok: false,
      code: 'MAIL_UNKNOWN_PREKEY',
    });
  });
});

/** Replaces the first occurrence of one byte string by another of equal length. */
function fromHexSwap(bytes: Uint8Array, fromHexStr: string, toHexStr: string): Uint8Array {
  return fromHex(toHex(bytes).replace(fromHexStr, toHexStr));
}
