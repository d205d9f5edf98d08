/**
 * The libsodium primitives the protocol stands on, against their published
 * known answers, in Node and in Chromium: if a build or a wrapper ever
 * computed something else, every layer above would be wrong together.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

describe('libsodium primitives match their published vectors', () => {
  it('Ed25519 (RFC 8032 §7.1, tests 1 and 2)', () => {
    const s = sodium();
    const cases = [
      {
        seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
        pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
        msg: '',
        sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
      },
      {
        seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
        pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
        msg: '72',
        sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
      },
    ];
    for (const c of cases) {
      const kp = s.crypto_sign_seed_keypair(fromHex(c.seed));
      expect(toHex(kp.publicKey)).toBe(c.pk);
      expect(toHex(s.crypto_sign_detached(fromHex(c.msg), kp.privateKey))).toBe(c.sig);
      expect(s.crypto_sign_verify_detached(fromHex(c.sig), fromHex(c.msg), kp.publicKey)).toBe(
        true,
      );
    }
  });

  it('X25519 (RFC 7748 §6.1)', () => {
    const s = sodium();
    const alice = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bob = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(toHex(s.crypto_scalarmult_base(alice))).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    expect(toHex(s.crypto_scalarmult_base(bob))).toBe(
      'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(toHex(s.crypto_scalarmult(alice, s.crypto_scalarmult_base(bob)))).toBe(shared);
    expect(toHex(s.crypto_scalarmult(bob, s.crypto_scalarmult_base(alice)))).toBe(shared);
  });

  it('BLAKE2b-512 (RFC 7693 appendix A) and SHA-512 (FIPS 180-4), of "abc"', () => {
    const s = sodium();
    expect(toHex(s.crypto_generichash(64, utf8('abc'), null))).toBe(
      'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    );
    expect(toHex(s.crypto_hash_sha512(utf8('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  it('XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 §A.3.1)', () => {
    const s = sodium();
    const plaintext = utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const aad = fromHex('50515253c0c1c2c3c4c5c6c7');
    const key = fromHex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
    const nonce = fromHex('404142434445464748494a4b4c4d4e4f5051525354555657');
    const sealed = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, key);
    expect(toHex(sealed)).toBe(
      'bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e' +
        'c0875924c1c7987947deafd8780acf49',
    );
    expect(s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, aad, nonce, key)).toEqual(
      plaintext,
    );
  });
});
