/**
 * Every function that reads bytes from outside (a peer, the relay, storage)
 * answers with a value — a coded Result, null or false — and never throws,
 * whatever it is fed: random bytes, and real messages with bytes changed,
 * cut short or extended, so the parsers are exercised past their first check.
 *
 * Not covered on purpose: the low-level helpers documented to throw
 * (`unframe`, `fromB64`, `fromHex`, and `certFromWire` / `prekeyFromWire` /
 * `challengeFromWire`, which are built on `fromB64`); every caller wraps them.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { openAead } from '../../../../shared/crypto/aead.ts';
import {
  decryptRecord,
  encryptRecord,
  unwrapAtRestKeys,
} from '../../../../shared/crypto/at-rest.ts';
import { DOMAIN, LINK, WIRE_TYPE } from '../../../../shared/crypto/constants.ts';
import { concatBytes, frame } from '../../../../shared/crypto/encoding.ts';
import { SegmentDecryptor, SegmentEncryptor } from '../../../../shared/crypto/file-segments.ts';
import {
  decodeFileOffer,
  encodeFileOffer,
  makeFileOffer,
} from '../../../../shared/crypto/files.ts';
import { Handshake, type HandshakeOptions } from '../../../../shared/crypto/handshake.ts';
import { decodeProof } from '../../../../shared/crypto/handshake-transcript.ts';
import {
  type DeviceCert,
  makeSignedPrekey,
  newIdentitySeed,
  verifyDeviceCert,
  verifySignedPrekey,
} from '../../../../shared/crypto/keys.ts';
import { LinkReceiver, LinkSender } from '../../../../shared/crypto/link-session.ts';
import {
  DEFAULT_PASSWORD_KDF_PARAMS,
  unwrapIdentitySeed,
  wrapIdentitySeed,
} from '../../../../shared/crypto/password.ts';
import { randomBytes } from '../../../../shared/crypto/random.ts';
import {
  formatRecoveryKey,
  newRecoveryKey,
  parseRecoveryKey,
  unwrapIdentitySeedWithRecoveryKey,
  wrapIdentitySeedWithRecoveryKey,
} from '../../../../shared/crypto/recovery-key.ts';
import { verifyRelayChallenge } from '../../../../shared/crypto/relay-auth.ts';
import { compareScannable, safetyNumber } from '../../../../shared/crypto/safety-number.ts';
import { parseSdpFingerprint } from '../../../../shared/crypto/sdp-fingerprint.ts';
import { mailPrekeyId, openMail, sealMail } from '../../../../shared/crypto/sealed-mail.ts';
import { initPull, initPush, pull } from '../../../../shared/crypto/secretstream.ts';
import {
  decodeDistribution,
  decodeHeader,
  decodeMessage,
} from '../../../../shared/crypto/sender-key-wire.ts';
import {
  peekSenderKeyHeader,
  SenderKeyChain,
  SenderKeyReceiver,
  verifyDistribution,
} from '../../../../shared/crypto/sender-keys.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';
import { decodeWire, readBytes, readText, readU64 } from '../../../../shared/crypto/wire.ts';
import { signEvent, verifyEvent } from '../../../../shared/events/signed-event.ts';
import { makeDevice, type TestDevice } from './devices.fixture.ts';

beforeAll(async () => {
  await loadSodium();
});

const RUNS = { numRuns: 150 };
const FEW_RUNS = { numRuns: 40 };

/** A Result with a stable code when it fails. */
function expectCoded(r: { ok: boolean; code?: string }): void {
  expect(typeof r.ok).toBe('boolean');
  if (!r.ok) expect(r.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
}

/** Random bytes, or one of `samples` with bytes overwritten, cut short and/or extended. */
function bytesNear(...samples: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edited = fc
    .record({
      base: fc.constantFrom(...samples),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      extra: fc.option(fc.uint8Array({ minLength: 1, maxLength: 40 }), { nil: undefined }),
    })
    .map(({ base, edits, cut, extra }) => {
      let out = base.slice();
      for (const [at, value] of edits) if (out.length) out[at % out.length] = value;
      if (cut !== undefined) out = out.slice(0, cut % (out.length + 1));
      return extra ? concatBytes(out, extra) : out;
    });
  return fc.oneof(fc.uint8Array({ maxLength: 1024 }), edited, edited);
}

/** Strings with lone surrogates among ordinary text: frame() refuses them. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\uD800', '\uDFFF', 'a', '\u0000', 'é', '-'), maxLength: 60 }),
);

function handshakeOpts(me: TestDevice, extra: Partial<HandshakeOptions> = {}): HandshakeOptions {
  return {
    context: 'room:fuzz',
    local: { dk: me.dk, cert: me.cert },
    localFingerprint: LINK.relayFingerprint,
    remoteFingerprint: LINK.relayFingerprint,
    ...extra,
  };
}

describe('decoders never throw on outside input', () => {
  it('wire envelope and field readers', () => {
    const sample = concatBytes(new Uint8Array([1, WIRE_TYPE.senderKeyMessage]), randomBytes(40));
    fc.assert(
      fc.property(bytesNear(sample), fc.nat({ max: 300 }), (bytes, n) => {
        decodeWire(bytes, WIRE_TYPE.senderKeyMessage, n % 8, 4096);
        readU64(bytes);
        readBytes(bytes, n);
        readText(bytes, n);
      }),
      RUNS,
    );
  });

  it('SDP fingerprint parser', () => {
    const sdp = `v=0\r\na=fingerprint:sha-256 ${Array.from({ length: 32 }, () => 'AB').join(':')}\r\n`;
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          fc.string({
            unit: fc.constantFrom('a=fingerprint:', 'sha-256 ', 'AB:', '\r\n', ' '),
            maxLength: 80,
          }),
          fc.nat({ max: sdp.length }).map((cut) => sdp.slice(0, cut)),
        ),
        (text) => expectCoded(parseSdpFingerprint(text)),
      ),
      RUNS,
    );
  });

  it('handshake messages, in every state', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const { handshake: a, message: m1 } = Handshake.initiate(handshakeOpts(alice));
    const b = Handshake.respond(handshakeOpts(bob));
    const step = b.receive(m1);
    const m2 = step.ok ? step.value.reply! : new Uint8Array(0);
    const step2 = a.receive(m2);
    const m3 = step2.ok ? step2.value.reply! : new Uint8Array(0);
    fc.assert(
      fc.property(bytesNear(m1, m2, m3), (bytes) => {
        expectCoded(Handshake.respond(handshakeOpts(bob)).receive(bytes));
        expectCoded(Handshake.initiate(handshakeOpts(alice)).handshake.receive(bytes));
        const responder = Handshake.respond(handshakeOpts(bob));
        responder.receive(m1);
        expectCoded(responder.receive(bytes));
        decodeProof(bytes);
      }),
      FEW_RUNS,
    );
  });

  it('link frames, secretstream headers and pulls', () => {
    const key = randomBytes(32);
    const { state, header } = initPush(key);
    const sender = new LinkSender(key.slice());
    const sealed = sender.seal(new Uint8Array([1, 2, 3]));
    fc.assert(
      fc.property(bytesNear(header), bytesNear(header, sealed), (h, frame) => {
        const pullState = initPull(h, key);
        if (pullState) pull(pullState, frame, null);
        pull(state, frame, frame);
        const receiver = LinkReceiver.create(key.slice(), sender.header);
        expectCoded(receiver!.open(frame));
        expectCoded(receiver!.open(frame));
        receiver!.destroy();
      }),
      RUNS,
    );
  });

  it('sender-key messages, distributions and exported states', () => {
    const dev = makeDevice();
    const chain = SenderKeyChain.create({ room: 'r', epoch: 3, dk: dev.dk, createdAtMs: 1 });
    const distribution = chain.distribution();
    const message = chain.encrypt(new Uint8Array([1, 2, 3]), { msgId: 'm1', ts: 5 });
    const verified = verifyDistribution(distribution);
    if (!verified.ok) throw new Error('distribution did not verify');
    const receiver = SenderKeyReceiver.fromDistribution(verified.value);
    const receiverState = receiver.exportState();
    const chainState = chain.exportState();
    fc.assert(
      fc.property(bytesNear(message, distribution, receiverState, chainState), (bytes) => {
        decodeHeader(bytes);
        decodeMessage(bytes);
        decodeDistribution(bytes);
        peekSenderKeyHeader(bytes);
        expectCoded(verifyDistribution(bytes, { dkPk: dev.dk.publicKey, room: 'r' }));
        expectCoded(receiver.decrypt(bytes));
        expectCoded(SenderKeyReceiver.importState(bytes));
        expectCoded(SenderKeyChain.importState(bytes, dev.dk));
      }),
      RUNS,
    );
  });

  it('file offers, segment headers and chunks', () => {
    const made = makeFileOffer({
      name: 'a.bin',
      mime: 'application/octet-stream',
      size: 20_000,
      chunkSize: 16_384,
      hash: randomBytes(32),
    });
    if (!made.ok) throw new Error('offer');
    const offer = made.value;
    const encoded = encodeFileOffer(offer);
    if (!encoded.ok) throw new Error('encode');
    const enc = SegmentEncryptor.create(offer, 0);
    if (!enc.ok) throw new Error('segment');
    const chunk = enc.value.encryptChunk(new Uint8Array(16_384));
    if (!chunk.ok) throw new Error('chunk');
    fc.assert(
      fc.property(
        bytesNear(encoded.value, enc.value.header, chunk.value),
        fc.integer({ min: -2, max: 3 }),
        (bytes, segment) => {
          expectCoded(decodeFileOffer(bytes));
          const dec = SegmentDecryptor.create(offer, segment, bytes);
          expectCoded(dec);
          const good = SegmentDecryptor.create(offer, 0, enc.value.header);
          if (good.ok) {
            expectCoded(good.value.decryptChunk(bytes));
            expectCoded(good.value.finish());
          }
        },
      ),
      RUNS,
    );
  });

  it('password and recovery blobs, recovery key text, at-rest records and key wraps', () => {
    const seed = newIdentitySeed();
    const dev = makeDevice();
    const ctx = {
      userId: 'u1',
      ikPk: dev.ik.publicKey,
      salt: randomBytes(16),
      params: DEFAULT_PASSWORD_KDF_PARAMS,
    };
    const wrapKey = randomBytes(32);
    const blob = wrapIdentitySeed(wrapKey, seed, ctx);
    const recoveryKey = newRecoveryKey();
    const recoveryBlob = wrapIdentitySeedWithRecoveryKey(recoveryKey, seed, ctx);
    const record = encryptRecord(wrapKey, 'events', 'k1', 1, new Uint8Array([9]));
    const shown = formatRecoveryKey(recoveryKey);
    fc.assert(
      fc.property(
        bytesNear(blob, recoveryBlob, record),
        bytesNear(wrapKey),
        anyText,
        fc.oneof(fc.integer(), fc.double()),
        (bytes, key, text, version) => {
          expectCoded(unwrapIdentitySeed(key, bytes, ctx));
          expectCoded(unwrapIdentitySeed(wrapKey, bytes, { ...ctx, userId: text }));
          expectCoded(unwrapIdentitySeedWithRecoveryKey(key, bytes, { userId: text, ikPk: key }));
          expectCoded(decryptRecord(key, text, text, version, bytes));
          expectCoded(unwrapAtRestKeys(key, bytes, text));
          expectCoded(parseRecoveryKey(text));
          expectCoded(parseRecoveryKey(shown.slice(0, text.length) + text));
          openAead(key, bytes.subarray(0, 24), bytes, bytes);
        },
      ),
      RUNS,
    );
  });

  it('sealed mail', () => {
    const alice = makeDevice();
    const bob = makeDevice();
    const spk = makeSignedPrekey(bob.dk, 7, 1);
    const mail = sealMail({
      from: { device: alice.dk, cert: alice.cert },
      toIkPk: bob.ik.publicKey,
      toPrekey: { id: 7, publicKey: spk.publicKey },
      msgId: 'm',
      ts: 1,
      body: new Uint8Array([1]),
    });
    const prekeys = [{ id: 7, publicKey: spk.publicKey, privateKey: spk.privateKey }];
    fc.assert(
      fc.property(bytesNear(mail), bytesNear(bob.ik.publicKey), (bytes, ik) => {
        mailPrekeyId(bytes);
        expectCoded(openMail(bytes, prekeys, bob.ik.publicKey));
        expectCoded(openMail(mail, prekeys, ik));
      }),
      FEW_RUNS,
    );
  });

  it('scanned safety-number codes', () => {
    const mine = safetyNumber(randomBytes(32), 'a', randomBytes(32), 'b').scannable;
    fc.assert(
      fc.property(bytesNear(mine), (bytes) => {
        expectCoded(compareScannable(mine, bytes));
        expectCoded(compareScannable(bytes, bytes));
      }),
      RUNS,
    );
  });

  it('certificates, prekeys, relay logins and events with arbitrary fields', () => {
    const dev = makeDevice();
    const spk = makeSignedPrekey(dev.dk, 1, 1);
    const number = fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER + 2));
    fc.assert(
      fc.property(
        bytesNear(dev.cert.ikPk, dev.cert.sig),
        bytesNear(dev.cert.dkPk, spk.sig),
        anyText,
        number,
        (a, b, text, n) => {
          const cert: DeviceCert = { ikPk: a, dkPk: b, deviceId: text, created: n, sig: a };
          expect(typeof verifyDeviceCert(cert, b)).toBe('boolean');
          expect(typeof verifyDeviceCert({ ...dev.cert, deviceId: text, created: n })).toBe(
            'boolean',
          );
          expect(typeof verifySignedPrekey({ id: n, publicKey: a, created: n, sig: b }, b)).toBe(
            'boolean',
          );
          expect(typeof verifyRelayChallenge(text, { nonce: a, ts: n }, dev.dk.publicKey, b)).toBe(
            'boolean',
          );
          expectCoded(verifyEvent({ bytes: a, sig: spk.sig }, { dkPk: b, ikB64: text }));
          expectCoded(verifyEvent({ bytes: a, sig: b }, { dkPk: dev.dk.publicKey, ikB64: text }));
        },
      ),
      RUNS,
    );
  });

  it('signed events with their bytes or signature changed', () => {
    const dev = makeDevice();
    const signed = signEvent(
      {
        v: 1,
        id: 'AAAAAAAAAAAAAAAAAAAAAA',
        conv: 'room-1',
        authorIk: 'A'.repeat(43),
        authorDevice: dev.cert.deviceId,
        lamport: 1,
        ts: 1,
        body: { type: 'text', text: 'hi' },
      },
      dev.dk.privateKey,
    );
    const signer = { dkPk: dev.dk.publicKey, ikB64: 'A'.repeat(43) };
    fc.assert(
      fc.property(bytesNear(signed.bytes), bytesNear(signed.sig), (bytes, sig) => {
        expectCoded(verifyEvent({ bytes, sig: signed.sig }, signer));
        expectCoded(verifyEvent({ bytes: signed.bytes, sig }, signer));
        // Correctly signed garbage: the parser behind the signature is reached too.
        const resigned = sodium().crypto_sign_detached(
          frame(DOMAIN.event, bytes),
          dev.dk.privateKey,
        );
        expectCoded(verifyEvent({ bytes, sig: resigned }, signer));
      }),
      RUNS,
    );
  });
});
