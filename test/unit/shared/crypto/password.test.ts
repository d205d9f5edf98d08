import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KDF_CONTEXT, PASSWORD_KDF } from '../../../../shared/crypto/constants.ts';
import { fromHex, toHex } from '../../../../shared/crypto/encoding.ts';
import {
  type Identity,
  identityFromSeed,
  newIdentitySeed,
} from '../../../../shared/crypto/keys.ts';
import {
  authKeyPair,
  checkKdfParams,
  DEFAULT_PASSWORD_KDF_PARAMS,
  deriveMasterKey,
  derivePasswordKeys,
  derivePasswordKeysAsync,
  encodePassword,
  enrollPassword,
  type IdentityWrapContext,
  newPasswordSalt,
  type PasswordKdfBounds,
  type PasswordKdfParams,
  type PasswordKeys,
  unwrapIdentitySeed,
  wrapIdentitySeed,
} from '../../../../shared/crypto/password.ts';
import {
  ChallengeBook,
  signRelayChallenge,
  verifyRelayChallenge,
} from '../../../../shared/crypto/relay-auth.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

/**
 * Cheap Argon2id for tests that are not about the parameters (64 MiB × many
 * runs is slow in CI); the bounds let them through. One test below uses the
 * real defaults.
 */
const CHEAP: PasswordKdfParams = { algorithm: 2, opsLimit: 1, memLimitBytes: 64 * 1024 };
const TEST_BOUNDS: PasswordKdfBounds = {
  minOpsLimit: 1,
  maxOpsLimit: 16,
  minMemLimitBytes: 8 * 1024,
  maxMemLimitBytes: PASSWORD_KDF.maxMemLimitBytes,
};

function keysFor(password: string, salt: Uint8Array, params = CHEAP): PasswordKeys {
  const r = derivePasswordKeys(encodePassword(password), salt, params, TEST_BOUNDS);
  if (!r.ok) throw new Error(r.code);
  return r.value;
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

function account(password = 'hunter2 but longer'): {
  identity: Identity;
  ctx: IdentityWrapContext;
  blob: Uint8Array;
} {
  const identity = identityFromSeed(newIdentitySeed());
  const salt = newPasswordSalt();
  const ctx = { userId: 'u_alice', ikPk: identity.publicKey, salt, params: CHEAP };
  const blob = wrapIdentitySeed(keysFor(password, salt).idWrapKey, identity.seed, ctx);
  return { identity, ctx, blob };
}

describe('Argon2id known answers', () => {
  // RFC 9106's own Argon2id vector (§5.3) uses a secret, associated data and
  // 4 lanes; libsodium's crypto_pwhash takes none of those (1 lane, no secret,
  // no AD), so it cannot be expressed here. Two published sources it can:
  //
  // 1. libsodium's test suite (test/default/pwhash_argon2id.c, tv(), entries
  //    0 and 6, expected output in pwhash_argon2id.exp).
  it('crypto_pwhash matches libsodium published Argon2id vectors', () => {
    const s = sodium();
    const vectors = [
      {
        password:
          'a347ae92bce9f80f6f595a4480fc9c2fe7e7d7148d371e9487d75f5c23008ffae065577a928febd9b1973a5a95073acdbeb6a030cfc0d79caa2dc5cd011cef02c08da232d76d52dfbca38ca8dcbd665b17d1665f7cf5fe59772ec909733b24de97d6f58d220b20c60d7c07ec1fd93c52c31020300c6c1facd77937a597c7a6',
        salt: '5541fbc995d5c197ba290346d2c559de',
        outBytes: 155,
        ops: 5,
        mem: 7256678,
        expected:
          '18acec5d6507739f203d1f5d9f1d862f7c2cdac4f19d2bdff64487e60d969e3ced615337b9eec6ac4461c6ca07f0939741e57c24d0005c7ea171a0ee1e7348249d135b38f222e4dad7b9a033ed83f5ca27277393e316582033c74affe2566a2bea47f91f0fd9fe49ece7e1f79f3ad6e9b23e0277c8ecc4b313225748dd2a80f5679534a0700e246a79a49b3f74eb89ec6205fe1eeb941c73b1fcf1',
      },
      {
        password: 'b540beb016a5366524d4605156493f9874514a5aa58818cd0c6dfffaa9e90205f17b',
        salt: '44071f6d181561670bda728d43fb79b4',
        outBytes: 231,
        ops: 1,
        mem: 1631659,
        expected:
          '7fb72409b0987f8190c3729710e98c3f80c5a8727d425fdcde7f3644d467fe973f5b5fee683bd3fce812cb9ae5e9921a2d06c2f1905e4e839692f2b934b682f11a2fe2b90482ea5dd234863516dba6f52dc0702d324ec77d860c2e181f84472bd7104fedce071ffa93c5309494ad51623d214447a7b2b1462dc7d5d55a1f6fd5b54ce024118d86f0c6489d16545aaa87b6689dad9f2fb47fda9894f8e12b87d978b483ccd4cc5fd9595cdc7a818452f915ce2f7df95ec12b1c72e3788d473441d884f9748eb14703c21b45d82fd667b85f5b2d98c13303b3fe76285531a826b6fc0fe8e3dddecf',
      },
    ];
    for (const v of vectors) {
      const out = s.crypto_pwhash(
        v.outBytes,
        fromHex(v.password),
        fromHex(v.salt),
        v.ops,
        v.mem,
        s.crypto_pwhash_ALG_ARGON2ID13,
      );
      expect(toHex(out)).toBe(v.expected);
    }
  });

  // 2. The reference implementation's vectors (phc-winner-argon2 src/test.c,
  //    Argon2id v1.3, "password"/"somesalt", p=1). Their salt is 8 bytes and
  //    crypto_pwhash requires exactly 16, so they are checked through
  //    libsodium's encoded-hash verifier, which runs the same Argon2id core.
  it('libsodium Argon2id agrees with the reference implementation vectors', () => {
    const s = sodium();
    // t=2, m=256 KiB: 9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe
    const small =
      '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4';
    // t=2, m=64 MiB: 09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7
    const large =
      '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    expect(s.crypto_pwhash_str_verify(small, 'password')).toBe(true);
    expect(s.crypto_pwhash_str_verify(small, 'passwore')).toBe(false);
    expect(s.crypto_pwhash_str_verify(large, 'password')).toBe(true);
  });

  it('the password keys are the CRYPTO.md subkeys of the Argon2id master', () => {
    const s = sodium();
    const salt = fromHex('000102030405060708090a0b0c0d0e0f');
    const password = 'correct horse battery staple';
    const keys = keysFor(password, salt);
    const master = s.crypto_pwhash(32, password, salt, 1, 64 * 1024, 2);
    expect(toHex(keys.authSeed)).toBe(
      toHex(s.crypto_kdf_derive_from_key(32, 1, KDF_CONTEXT.passwordAuth, master)),
    );
    expect(toHex(keys.idWrapKey)).toBe(
      toHex(s.crypto_kdf_derive_from_key(32, 2, KDF_CONTEXT.passwordWrap, master)),
    );
    // Pinned: a change here locks every existing account out.
    expect(toHex(keys.authSeed)).toBe(
      '4559eb8286fbe75a9948e07cfcdec28053d0dce033df9c54750fa26614cef6b5',
    );
    expect(toHex(keys.idWrapKey)).toBe(
      '304dea9eb4790551eee8307f3dcdbf8215fa6511d49251c35bef0082456d0768',
    );
    expect(toHex(keys.storageKey)).toBe(
      'ee3de96cd84835d5af9a3ff49212958a57ce5c9e2bf6e612fc3b9c5458ae7db7',
    );
  });
});

describe('Argon2id parameters from the relay', () => {
  it('the defaults are Argon2id, 3 passes, 64 MiB, and are accepted', () => {
    expect(DEFAULT_PASSWORD_KDF_PARAMS).toEqual({
      algorithm: sodium().crypto_pwhash_ALG_ARGON2ID13,
      opsLimit: 3,
      memLimitBytes: 64 * 1024 * 1024,
    });
    expect(checkKdfParams(DEFAULT_PASSWORD_KDF_PARAMS)).toBeNull();
  });

  it('derives at the real defaults (the one slow test)', async () => {
    const salt = newPasswordSalt();
    const r = await derivePasswordKeysAsync(
      encodePassword('a real password'),
      salt,
      DEFAULT_PASSWORD_KDF_PARAMS,
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.authSeed).toHaveLength(32);
  });

  it('parameters too weak to resist guessing are refused before hashing', () => {
    const pw = encodePassword('pw');
    const salt = newPasswordSalt();
    const base = DEFAULT_PASSWORD_KDF_PARAMS;
    for (const params of [
      { ...base, opsLimit: 2 },
      { ...base, opsLimit: 1, memLimitBytes: 8192 },
      { ...base, memLimitBytes: 32 * 1024 * 1024 },
      { ...base, opsLimit: Number.NaN },
      { ...base, memLimitBytes: 1.5 },
    ]) {
      const r = derivePasswordKeys(pw, salt, params);
      expect(r).toEqual({ ok: false, code: 'KDF_PARAMS_TOO_WEAK' });
    }
  });

  it('parameters that would hang or crash the tab are refused', () => {
    const pw = encodePassword('pw');
    const salt = newPasswordSalt();
    const base = DEFAULT_PASSWORD_KDF_PARAMS;
    for (const params of [
      { ...base, opsLimit: 17 },
      { ...base, opsLimit: 2 ** 40 },
      { ...base, memLimitBytes: 4 * 1024 * 1024 * 1024 },
    ]) {
      expect(derivePasswordKeys(pw, salt, params)).toEqual({
        ok: false,
        code: 'KDF_PARAMS_TOO_COSTLY',
      });
    }
  });

  it('another algorithm, a bad salt or an empty password is refused', () => {
    const pw = encodePassword('pw');
    const argon2i = { ...DEFAULT_PASSWORD_KDF_PARAMS, algorithm: 1 };
    expect(derivePasswordKeys(pw, newPasswordSalt(), argon2i)).toEqual({
      ok: false,
      code: 'KDF_BAD_ALGORITHM',
    });
    expect(deriveMasterKey(pw, new Uint8Array(8), CHEAP, TEST_BOUNDS)).toEqual({
      ok: false,
      code: 'KDF_BAD_SALT',
    });
    expect(deriveMasterKey(new Uint8Array(0), newPasswordSalt(), CHEAP, TEST_BOUNDS)).toEqual({
      ok: false,
      code: 'PASSWORD_EMPTY',
    });
  });
});

describe('identity seed wrapped by the password', () => {
  it('the right password unwraps the same identity', () => {
    const { identity, ctx, blob } = account('open sesame');
    const r = unwrapIdentitySeed(keysFor('open sesame', ctx.salt).idWrapKey, blob, ctx);
    expect(r.ok).toBe(true);
    if (r.ok) expect(toHex(r.value.publicKey)).toBe(toHex(identity.publicKey));
  });

  it('a wrong password never unwraps', () => {
    const { ctx, blob } = account('the real one');
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 24 }), (guess) => {
        fc.pre(guess.normalize('NFKC') !== 'the real one');
        const r = unwrapIdentitySeed(keysFor(guess, ctx.salt).idWrapKey, blob, ctx);
        expect(r).toEqual({ ok: false, code: 'IDWRAP_DECRYPT_FAILED' });
      }),
      { numRuns: 25 },
    );
  });

  it('the same password typed composed or decomposed gives the same keys', () => {
    const salt = newPasswordSalt();
    const composed = keysFor('caf\u00e9', salt);
    const decomposed = keysFor('cafe\u0301', salt);
    expect(toHex(composed.idWrapKey)).toBe(toHex(decomposed.idWrapKey));
  });

  it('any flipped bit in the blob is detected', () => {
    const { ctx, blob } = account('pw');
    const key = keysFor('pw', ctx.salt).idWrapKey;
    fc.assert(
      fc.property(fc.nat(blob.length * 8 - 1), (bit) => {
        expect(unwrapIdentitySeed(key, flipBit(blob, bit), ctx)).toEqual({
          ok: false,
          code: 'IDWRAP_DECRYPT_FAILED',
        });
      }),
      { numRuns: 100 },
    );
    expect(unwrapIdentitySeed(key, blob.subarray(1), ctx)).toEqual({
      ok: false,
      code: 'IDWRAP_MALFORMED',
    });
  });

  it('a blob presented for another user, identity, salt or params does not open', () => {
    const { ctx, blob } = account('pw');
    const key = keysFor('pw', ctx.salt).idWrapKey;
    const otherIk = identityFromSeed(newIdentitySeed()).publicKey;
    for (const changed of [
      { ...ctx, userId: 'u_mallory' },
      { ...ctx, ikPk: otherIk },
      { ...ctx, salt: newPasswordSalt() },
      { ...ctx, params: { ...CHEAP, opsLimit: 2 } },
    ]) {
      expect(unwrapIdentitySeed(key, blob, changed).ok).toBe(false);
    }
  });

  it('a context from the relay that cannot be encoded is reported as malformed, not thrown', () => {
    const { ctx, blob } = account('pw');
    const key = keysFor('pw', ctx.salt).idWrapKey;
    expect(unwrapIdentitySeed(key, blob, { ...ctx, userId: 'u_\uD800' })).toEqual({
      ok: false,
      code: 'IDWRAP_MALFORMED',
    });
    expect(
      unwrapIdentitySeed(key, blob, { ...ctx, params: { ...CHEAP, memLimitBytes: -1 } }),
    ).toEqual({ ok: false, code: 'IDWRAP_MALFORMED' });
  });

  it('a blob that decrypts to another identity than the expected IK is refused', () => {
    const mine = identityFromSeed(newIdentitySeed());
    const other = identityFromSeed(newIdentitySeed());
    const salt = newPasswordSalt();
    const ctx = { userId: 'u_alice', ikPk: mine.publicKey, salt, params: CHEAP };
    const key = keysFor('pw', salt).idWrapKey;
    // Whoever holds the wrap key wrapped someone else's seed under my AD.
    const blob = wrapIdentitySeed(key, other.seed, ctx);
    expect(unwrapIdentitySeed(key, blob, ctx)).toEqual({
      ok: false,
      code: 'IDWRAP_WRONG_IDENTITY',
    });
  });
});

describe('password enrollment and change', () => {
  it('a new browser signs in: auth key answers the relay, then the blob unwraps', () => {
    const identity = identityFromSeed(newIdentitySeed());
    const salt = newPasswordSalt();
    const enrollment = enrollPassword(keysFor('pw1', salt), identity, 'u_alice', salt, CHEAP);

    const later = keysFor('pw1', enrollment.salt, enrollment.params);
    const challenge = new ChallengeBook().issue(1_763_700_000_000);
    const sig = signRelayChallenge('https://relay.example', challenge, authKeyPair(later));
    expect(verifyRelayChallenge('https://relay.example', challenge, enrollment.authPk, sig)).toBe(
      true,
    );
    const ctx = {
      userId: 'u_alice',
      ikPk: identity.publicKey,
      salt: enrollment.salt,
      params: enrollment.params,
    };
    const r = unwrapIdentitySeed(later.idWrapKey, enrollment.idBlob, ctx);
    expect(r.ok && toHex(r.value.publicKey)).toBe(toHex(identity.publicKey));
  });

  it('enrolling wipes the derived keys', () => {
    const salt = newPasswordSalt();
    const keys = keysFor('pw', salt);
    enrollPassword(keys, identityFromSeed(newIdentitySeed()), 'u', salt, CHEAP);
    for (const k of [keys.authSeed, keys.idWrapKey, keys.storageKey]) {
      expect(k.every((b) => b === 0)).toBe(true);
    }
  });

  it('a password change keeps the identity, replaces authPk, and the old password stops working', () => {
    const identity = identityFromSeed(newIdentitySeed());
    const salt1 = newPasswordSalt();
    const before = enrollPassword(keysFor('old pw', salt1), identity, 'u_alice', salt1, CHEAP);
    const salt2 = newPasswordSalt();
    const params2 = { ...CHEAP, opsLimit: 2 };
    const after = enrollPassword(
      keysFor('new pw', salt2, params2),
      identity,
      'u_alice',
      salt2,
      params2,
    );

    expect(toHex(after.salt)).not.toBe(toHex(before.salt));
    expect(toHex(after.authPk)).not.toBe(toHex(before.authPk));
    const ctx = { userId: 'u_alice', ikPk: identity.publicKey, salt: after.salt, params: params2 };
    const withNew = unwrapIdentitySeed(
      keysFor('new pw', salt2, params2).idWrapKey,
      after.idBlob,
      ctx,
    );
    expect(withNew.ok && toHex(withNew.value.publicKey)).toBe(toHex(identity.publicKey));
    const withOld = unwrapIdentitySeed(
      keysFor('old pw', salt2, params2).idWrapKey,
      after.idBlob,
      ctx,
    );
    expect(withOld.ok).toBe(false);
  });
});
