/**
 * The P5 measurements themselves (TARGETS.md): isomorphic, so the same code
 * runs in Node and, bundled by esbuild, in Chromium. Each figure is the median
 * of several timed rounds; each Parley wrapper is measured beside the bare
 * libsodium call it wraps, so the ratio shows what the wrapper costs.
 */
import { encryptRecord } from '../../shared/crypto/at-rest.ts';
import { Handshake } from '../../shared/crypto/handshake.ts';
import {
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
} from '../../shared/crypto/keys.ts';
import { LinkSender } from '../../shared/crypto/link-session.ts';
import { DEFAULT_PASSWORD_KDF_PARAMS, derivePasswordKeys } from '../../shared/crypto/password.ts';
import { randomBytes } from '../../shared/crypto/random.ts';
import { safetyNumber } from '../../shared/crypto/safety-number.ts';
import { openMail, sealMail } from '../../shared/crypto/sealed-mail.ts';
import { loadSodium, sodium } from '../../shared/crypto/sodium.ts';

/** Size of a bulk chunk (file transfer, link frame), bytes. */
const CHUNK_BYTES = 64 * 1024;
/** Bytes processed per throughput round. */
const BYTES_PER_ROUND = 16 * 1024 * 1024;
/** Size of a signed chat message, bytes. */
const MESSAGE_BYTES = 256;
const SIGNATURES_PER_ROUND = 2_000;
const ROUNDS = 5;
const ARGON2_ROUNDS = 3;
const HANDSHAKES_PER_ROUND = 20;
const MAILS_PER_ROUND = 200;
const RANDOMS_PER_ROUND = 2_000;
/**
 * Chromium first runs wasm through its baseline compiler and tiers up to the
 * optimizing one in the background; without a warm-up the first figure
 * measured is the baseline tier's.
 */
const WARMUP_MS = 1_500;

export interface CryptoFigures {
  aeadEncryptMBps: number;
  aeadDecryptMBps: number;
  recordEncryptMBps: number;
  /** at-rest wrapper ÷ bare AEAD encrypt. */
  recordVsAeadRatio: number;
  secretstreamPushMBps: number;
  secretstreamPullMBps: number;
  linkSealMBps: number;
  /** LinkSender.seal ÷ bare secretstream push. */
  linkVsSecretstreamRatio: number;
  ed25519SignPerSec: number;
  ed25519VerifyPerSec: number;
  argon2idDefaultMs: number;
  handshakeMs: number | null;
  sealedMailSealPerSec: number;
  sealedMailOpenPerSec: number;
  safetyNumberMs: number;
  /** 24-byte nonces: libsodium-wrappers' randombytes_buf vs WebCrypto (random.ts). */
  sodiumRandom24PerSec: number;
  webCryptoRandom24PerSec: number;
}

export const CRYPTO_TARGET = { chunkEncryptMBps: 150, verifyPerSec: 5_000 } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Median over rounds of ops/s for `op` run `count` times per round. */
function ratePerSec(count: number, op: (i: number) => void): number {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) op(i);
    rates.push((count * 1000) / (performance.now() - t0));
  }
  return median(rates);
}

function mbPerSec(op: () => void): number {
  const chunks = BYTES_PER_ROUND / CHUNK_BYTES;
  return (ratePerSec(chunks, op) * CHUNK_BYTES) / 1e6;
}

function medianMs(rounds: number, op: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    op();
    times.push(performance.now() - t0);
  }
  return median(times);
}

function fullHandshake(): void {
  const a = certifiedDevice();
  const b = certifiedDevice();
  const fpA = crypto.getRandomValues(new Uint8Array(32));
  const fpB = crypto.getRandomValues(new Uint8Array(32));
  const t0 = performance.now();
  const { handshake: ha, message: m1 } = Handshake.initiate({
    context: 'room:bench',
    local: a,
    localFingerprint: fpA,
    remoteFingerprint: fpB,
    expectedIk: b.cert.ikPk,
  });
  const hb = Handshake.respond({
    context: 'room:bench',
    local: b,
    localFingerprint: fpB,
    remoteFingerprint: fpA,
    expectedIk: a.cert.ikPk,
  });
  const s2 = hb.receive(m1);
  if (!s2.ok || !s2.value.reply) throw new Error('bench: handshake m2 failed');
  const s3 = ha.receive(s2.value.reply);
  if (!s3.ok || !s3.value.reply || !s3.value.done) throw new Error('bench: handshake m3 failed');
  const s4 = hb.receive(s3.value.reply);
  if (!s4.ok || !s4.value.done) throw new Error('bench: handshake finish failed');
  handshakeTimes.push(performance.now() - t0);
  s3.value.done.session.close();
  s4.value.done.session.close();
}
const handshakeTimes: number[] = [];

function certifiedDevice() {
  const ik = identityFromSeed(newIdentitySeed());
  const dk = newDeviceKey();
  return { dk, cert: makeDeviceCert(ik, dk.publicKey, Date.now()) };
}

function warmUp(key: Uint8Array, nonce: Uint8Array, chunk: Uint8Array): void {
  const s = sodium();
  const signer = s.crypto_sign_keypair();
  const until = performance.now() + WARMUP_MS;
  while (performance.now() < until) {
    const sealed = s.crypto_aead_xchacha20poly1305_ietf_encrypt(chunk, null, null, nonce, key);
    s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, null, nonce, key);
    const sig = s.crypto_sign_detached(chunk.subarray(0, MESSAGE_BYTES), signer.privateKey);
    s.crypto_sign_verify_detached(sig, chunk.subarray(0, MESSAGE_BYTES), signer.publicKey);
  }
}

export async function measureCrypto(): Promise<CryptoFigures> {
  const s = await loadSodium();
  const key = s.crypto_aead_xchacha20poly1305_ietf_keygen();
  const nonce = s.randombytes_buf(24);
  const chunk = s.randombytes_buf(CHUNK_BYTES);
  const sealedChunk = s.crypto_aead_xchacha20poly1305_ietf_encrypt(chunk, null, null, nonce, key);
  warmUp(key, nonce, chunk);

  const aeadEncryptMBps = mbPerSec(() => {
    s.crypto_aead_xchacha20poly1305_ietf_encrypt(chunk, null, null, nonce, key);
  });
  const aeadDecryptMBps = mbPerSec(() => {
    s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealedChunk, null, nonce, key);
  });
  const recordEncryptMBps = mbPerSec(() => {
    encryptRecord(key, 'messages', 'msg_0001', 1, chunk);
  });

  const push = s.crypto_secretstream_xchacha20poly1305_init_push(key);
  const TAG_MESSAGE = s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  const secretstreamPushMBps = mbPerSec(() => {
    s.crypto_secretstream_xchacha20poly1305_push(push.state, chunk, null, TAG_MESSAGE);
  });
  // Pull needs the frames in order from a matching push state.
  const framesPerRound = BYTES_PER_ROUND / CHUNK_BYTES;
  const pullRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const sender = s.crypto_secretstream_xchacha20poly1305_init_push(key);
    const frames = Array.from({ length: framesPerRound }, () =>
      s.crypto_secretstream_xchacha20poly1305_push(sender.state, chunk, null, TAG_MESSAGE),
    );
    const receiver = s.crypto_secretstream_xchacha20poly1305_init_pull(sender.header, key);
    const t0 = performance.now();
    for (const f of frames) {
      if (!s.crypto_secretstream_xchacha20poly1305_pull(receiver, f, null)) {
        throw new Error('bench: secretstream pull failed');
      }
    }
    pullRates.push((BYTES_PER_ROUND / 1e6 / (performance.now() - t0)) * 1000);
  }
  const secretstreamPullMBps = median(pullRates);

  const link = new LinkSender(s.crypto_kdf_keygen());
  const linkSealMBps = mbPerSec(() => {
    link.seal(chunk);
  });
  link.destroy();

  const signer = s.crypto_sign_keypair();
  const messages = Array.from({ length: SIGNATURES_PER_ROUND }, () =>
    s.randombytes_buf(MESSAGE_BYTES),
  );
  const sigs = messages.map((m) => s.crypto_sign_detached(m, signer.privateKey));
  const ed25519SignPerSec = ratePerSec(SIGNATURES_PER_ROUND, (i) => {
    s.crypto_sign_detached(messages[i]!, signer.privateKey);
  });
  const ed25519VerifyPerSec = ratePerSec(SIGNATURES_PER_ROUND, (i) => {
    if (!s.crypto_sign_verify_detached(sigs[i]!, messages[i]!, signer.publicKey)) {
      throw new Error('bench: verify failed');
    }
  });

  const password = new TextEncoder().encode('correct horse battery staple');
  const argon2idDefaultMs = medianMs(ARGON2_ROUNDS, () => {
    const r = derivePasswordKeys(password, s.randombytes_buf(16), DEFAULT_PASSWORD_KDF_PARAMS);
    if (!r.ok) throw new Error(`bench: ${r.code}`);
  });

  let handshakeMs: number | null = null;
  try {
    handshakeTimes.length = 0;
    for (let i = 0; i < HANDSHAKES_PER_ROUND * ROUNDS; i++) fullHandshake();
    handshakeMs = median(handshakeTimes);
  } catch {
    handshakeMs = null;
  }

  const alice = certifiedDevice();
  const bobIk = identityFromSeed(newIdentitySeed());
  const bobDk = newDeviceKey();
  const bobSpk = makeSignedPrekey(bobDk, 1, Date.now());
  const body = s.randombytes_buf(MESSAGE_BYTES);
  const toSeal = {
    from: { device: alice.dk, cert: alice.cert },
    toIkPk: bobIk.publicKey,
    toPrekey: bobSpk,
    msgId: 'msg_0001',
    ts: Date.now(),
    body,
  };
  const mail = sealMail(toSeal);
  const sealedMailSealPerSec = ratePerSec(MAILS_PER_ROUND, () => {
    sealMail(toSeal);
  });
  const sealedMailOpenPerSec = ratePerSec(MAILS_PER_ROUND, () => {
    if (!openMail(mail, [bobSpk], bobIk.publicKey).ok) throw new Error('bench: openMail failed');
  });

  const safetyNumberMs = medianMs(ROUNDS, () => {
    safetyNumber(alice.cert.ikPk, 'u_alice', bobIk.publicKey, 'u_bob');
  });

  const sodiumRandom24PerSec = ratePerSec(RANDOMS_PER_ROUND, () => {
    s.randombytes_buf(24);
  });
  const webCryptoRandom24PerSec = ratePerSec(RANDOMS_PER_ROUND, () => {
    randomBytes(24);
  });

  return {
    aeadEncryptMBps: round(aeadEncryptMBps),
    aeadDecryptMBps: round(aeadDecryptMBps),
    recordEncryptMBps: round(recordEncryptMBps),
    recordVsAeadRatio: round(recordEncryptMBps / aeadEncryptMBps, 2),
    secretstreamPushMBps: round(secretstreamPushMBps),
    secretstreamPullMBps: round(secretstreamPullMBps),
    linkSealMBps: round(linkSealMBps),
    linkVsSecretstreamRatio: round(linkSealMBps / secretstreamPushMBps, 2),
    ed25519SignPerSec: Math.round(ed25519SignPerSec),
    ed25519VerifyPerSec: Math.round(ed25519VerifyPerSec),
    argon2idDefaultMs: round(argon2idDefaultMs),
    handshakeMs: handshakeMs === null ? null : round(handshakeMs, 2),
    sealedMailSealPerSec: Math.round(sealedMailSealPerSec),
    sealedMailOpenPerSec: Math.round(sealedMailOpenPerSec),
    safetyNumberMs: round(safetyNumberMs),
    sodiumRandom24PerSec: Math.round(sodiumRandom24PerSec),
    webCryptoRandom24PerSec: Math.round(webCryptoRandom24PerSec),
  };
}
