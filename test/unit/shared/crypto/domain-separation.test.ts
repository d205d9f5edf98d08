/**
 * No signature, hash or derived key of one kind can stand in for another
 * (CRYPTO.md: domain strings, length prefixes). Every signed input is
 * frame(domain, …) with a domain no other kind uses; frame() is injective, so
 * two inputs whose first fields differ can never be equal — a device-key
 * signature over a relay login cannot verify as an event, a handshake proof,
 * a sender-key message, a prekey or sealed mail, and so on for every pair.
 * These tests pin each signer to its domain by checking real signatures
 * against the bytes rebuilt from the spec.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, KDF_CONTEXT } from '../../../../shared/crypto/constants.ts';
import { frame, fromUtf8, unframe, utf8 } from '../../../../shared/crypto/encoding.ts';
import { proofSignatureInput } from '../../../../shared/crypto/handshake-transcript.ts';
import { makeSignedPrekey } from '../../../../shared/crypto/keys.ts';
import { randomBytes } from '../../../../shared/crypto/random.ts';
import { relayAuthMessage, signRelayChallenge } from '../../../../shared/crypto/relay-auth.ts';
import { sealMail } from '../../../../shared/crypto/sealed-mail.ts';
import {
  decodeDistribution,
  decodeMessage,
  distributionSignatureInput,
  messageSignatureInput,
} from '../../../../shared/crypto/sender-key-wire.ts';
import { SenderKeyChain } from '../../../../shared/crypto/sender-keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { signEvent } from '../../../../shared/events/signed-event.ts';
import { makeDevice } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

/** Everything a device key (DK) signs; IK signs only device certs. */
const DK_SIGNED_DOMAINS = [
  DOMAIN.signedPrekey,
  DOMAIN.relayAuth,
  DOMAIN.handshakeInit,
  DOMAIN.handshakeResp,
  DOMAIN.senderKeyMessage,
  DOMAIN.senderKeyDistribution,
  DOMAIN.event,
  DOMAIN.sealedMail,
];

function firstField(signedInput: Uint8Array): string {
  return fromUtf8(unframe(signedInput)[0]!);
}

describe('domain separation', () => {
  it('every domain string and KDF context is distinct; contexts are 8 bytes', () => {
    const domains = Object.values(DOMAIN);
    expect(new Set(domains).size).toBe(domains.length);
    expect(new Set(DK_SIGNED_DOMAINS).size).toBe(DK_SIGNED_DOMAINS.length);
    const contexts = Object.values(KDF_CONTEXT);
    expect(new Set(contexts).size).toBe(contexts.length);
    for (const c of contexts) expect(utf8(c)).toHaveLength(8);
  });

  it('signed inputs built by the protocol lead with their own domain', () => {
    const th = randomBytes(32);
    expect(firstField(proofSignatureInput('initiator', th))).toBe(DOMAIN.handshakeInit);
    expect(firstField(proofSignatureInput('responder', th))).toBe(DOMAIN.handshakeResp);
    const challenge = { nonce: randomBytes(32), ts: 1 };
    expect(firstField(relayAuthMessage('https://r.example', challenge, randomBytes(32)))).toBe(
      DOMAIN.relayAuth,
    );
    expect(
      firstField(messageSignatureInput(randomBytes(9), randomBytes(24), randomBytes(17))),
    ).toBe(DOMAIN.senderKeyMessage);
  });

  it('real signatures of every kind verify only over frame(their domain, …)', () => {
    const s = sodium();
    const dev = makeDevice();
    const dk = dev.dk.publicKey;
    const verifies = (sig: Uint8Array, input: Uint8Array, pk: Uint8Array) =>
      s.crypto_sign_verify_detached(sig, input, pk);

    // Device cert, by IK.
    const { cert } = dev;
    expect(
      verifies(cert.sig, frame(DOMAIN.deviceCert, dk, cert.deviceId, cert.created), cert.ikPk),
    ).toBe(true);

    // Signed prekey, by DK.
    const spk = makeSignedPrekey(dev.dk, 5, 77);
    expect(verifies(spk.sig, frame(DOMAIN.signedPrekey, dk, 5, spk.publicKey, 77), dk)).toBe(true);

    // Relay login, by DK.
    const challenge = { nonce: randomBytes(32), ts: 1000 };
    const login = signRelayChallenge('https://r.example', challenge, dev.dk);
    expect(
      verifies(login, frame(DOMAIN.relayAuth, 'https://r.example', challenge.nonce, 1000, dk), dk),
    ).toBe(true);

    // Sender-key message and distribution, by DK.
    const chain = SenderKeyChain.create({ room: 'r', epoch: 0, dk: dev.dk, createdAtMs: 0 });
    const dist = decodeDistribution(chain.distribution())!;
    expect(firstField(distributionSignatureInput(dist.distribution))).toBe(
      DOMAIN.senderKeyDistribution,
    );
    expect(verifies(dist.sig, distributionSignatureInput(dist.distribution), dk)).toBe(true);
    const m = decodeMessage(chain.encrypt(utf8('x'), { msgId: 'id', ts: 1 }))!;
    expect(
      verifies(m.sig, frame(DOMAIN.senderKeyMessage, m.headerBytes, m.nonce, m.ciphertext), dk),
    ).toBe(true);

    // Event, by DK.
    const event = signEvent(
      {
        v: 1,
        id: 'AAAAAAAAAAAAAAAAAAAAAA',
        conv: 'room-1',
        authorIk: 'A'.repeat(43),
        authorDevice: cert.deviceId,
        lamport: 1,
        ts: 1,
        body: { type: 'text', text: 'hi' },
      },
      dev.dk.privateKey,
    );
    expect(verifies(event.sig, frame(DOMAIN.event, event.bytes), dk)).toBe(true);

    // Sealed mail's inner signature, by DK.
    const bob = makeDevice();
    const bobSpk = makeSignedPrekey(bob.dk, 1, 1);
    const body = utf8('hello');
    const mail = sealMail({
      from: { device: dev.dk, cert },
      toIkPk: bob.ik.publicKey,
      toPrekey: { id: 1, publicKey: bobSpk.publicKey },
      msgId: 'm1',
      ts: 9,
      body,
    });
    const inner = unframe(
      s.unpad(s.crypto_box_seal_open(mail.subarray(5), bobSpk.publicKey, bobSpk.privateKey), 256),
    );
    const mailSig = inner[10]!;
    const bodyHash = s.crypto_generichash(32, body, null);
    expect(
      verifies(mailSig, frame(DOMAIN.sealedMail, bob.ik.publicKey, 'm1', 9, bodyHash), dk),
    ).toBe(true);
  });
});
