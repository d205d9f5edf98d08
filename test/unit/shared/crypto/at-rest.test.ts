import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  blindIndex,
  decryptRecord,
  deriveLocalStorageKey,
  encryptRecord,
  newAtRestKeys,
  newDataKey,
  unwrapAtRestKeys,
  wrapAtRestKeys,
} from '../../../../shared/crypto/at-rest.ts';
import { fromUtf8, toHex, utf8 } from '../../../../shared/crypto/encoding.ts';
import {
  derivePasswordKeys,
  encodePassword,
  newPasswordSalt,
  type PasswordKdfBounds,
  type PasswordKdfParams,
} from '../../../../shared/crypto/password.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

const CHEAP: PasswordKdfParams = { algorithm: 2, opsLimit: 1, memLimitBytes: 64 * 1024 };
const TEST_BOUNDS: PasswordKdfBounds = {
  minOpsLimit: 1,
  maxOpsLimit: 16,
  minMemLimitBytes: 8 * 1024,
  maxMemLimitBytes: 1024 * 1024 * 1024,
};

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

const CANARY = 'canary: meet at the old mill at 9';

describe('records at rest', () => {
  it('a record opens under its own store, key and schema version', () => {
    const dek = newDataKey();
    const sealed = encryptRecord(dek, 'messages', 'm_1', 3, utf8(CANARY));
    const r = decryptRecord(dek, 'messages', 'm_1', 3, sealed);
    expect(r.ok && fromUtf8(r.value)).toBe(CANARY);
  });

  it('the stored bytes do not contain the plaintext', () => {
    const sealed = encryptRecord(newDataKey(), 'messages', 'm_1', 3, utf8(CANARY));
    expect(toHex(sealed)).not.toContain(toHex(utf8('canary')));
  });

  it('a record moved to another key, store or schema version fails to open', () => {
    const dek = newDataKey();
    const sealed = encryptRecord(dek, 'messages', 'm_1', 3, utf8(CANARY));
    const failed = { ok: false, code: 'RECORD_DECRYPT_FAILED' };
    expect(decryptRecord(dek, 'messages', 'm_2', 3, sealed)).toEqual(failed);
    expect(decryptRecord(dek, 'drafts', 'm_1', 3, sealed)).toEqual(failed);
    expect(decryptRecord(dek, 'messages', 'm_1', 2, sealed)).toEqual(failed);
    // Field boundaries are framed: "messagesm" / "_1" is not "messages" / "m_1".
    expect(decryptRecord(dek, 'messagesm', '_1', 3, sealed)).toEqual(failed);
  });

  it('any swap of store, key or version is detected', () => {
    const dek = newDataKey();
    const where = fc.record({
      store: fc.string({ maxLength: 8 }),
      key: fc.string({ maxLength: 8 }),
      version: fc.nat(5),
    });
    fc.assert(
      fc.property(where, where, (a, b) => {
        fc.pre(a.store !== b.store || a.key !== b.key || a.version !== b.version);
        const sealed = encryptRecord(dek, a.store, a.key, a.version, utf8('x'));
        expect(decryptRecord(dek, b.store, b.key, b.version, sealed).ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('any flipped bit in a stored record is detected', () => {
    const dek = newDataKey();
    const sealed = encryptRecord(dek, 'messages', 'm_1', 1, utf8(CANARY));
    fc.assert(
      fc.property(fc.nat(sealed.length * 8 - 1), (bit) => {
        expect(decryptRecord(dek, 'messages', 'm_1', 1, flipBit(sealed, bit))).toEqual({
          ok: false,
          code: 'RECORD_DECRYPT_FAILED',
        });
      }),
      { numRuns: 100 },
    );
  });

  it('another data key cannot open the record', () => {
    const sealed = encryptRecord(newDataKey(), 'messages', 'm_1', 1, utf8(CANARY));
    expect(decryptRecord(newDataKey(), 'messages', 'm_1', 1, sealed).ok).toBe(false);
  });

  it('short or malformed input is refused, never thrown on', () => {
    const dek = newDataKey();
    expect(decryptRecord(dek, 's', 'k', 1, new Uint8Array(39))).toEqual({
      ok: false,
      code: 'RECORD_MALFORMED',
    });
    const sealed = encryptRecord(dek, 's', 'k', 1, utf8('x'));
    expect(decryptRecord(new Uint8Array(16), 's', 'k', 1, sealed).ok).toBe(false);
    expect(decryptRecord(dek, 's', 'k', -1, sealed)).toEqual({
      ok: false,
      code: 'RECORD_MALFORMED',
    });
    expect(decryptRecord(dek, 's', 'k\uDC00', 1, sealed)).toEqual({
      ok: false,
      code: 'RECORD_MALFORMED',
    });
  });

  it('encrypting the same record twice gives different bytes (fresh nonce)', () => {
    const dek = newDataKey();
    const a = encryptRecord(dek, 's', 'k', 1, utf8('same'));
    const b = encryptRecord(dek, 's', 'k', 1, utf8('same'));
    expect(toHex(a)).not.toBe(toHex(b));
  });
});

describe('blind index', () => {
  it('is deterministic per key, 16 bytes, and reveals nothing without the key', () => {
    const { indexKey } = newAtRestKeys();
    const other = newAtRestKeys().indexKey;
    const a = blindIndex(indexKey, 'conv_42');
    expect(a).toHaveLength(16);
    expect(toHex(blindIndex(indexKey, 'conv_42'))).toBe(toHex(a));
    expect(toHex(blindIndex(indexKey, 'conv_43'))).not.toBe(toHex(a));
    expect(toHex(blindIndex(other, 'conv_42'))).not.toBe(toHex(a));
  });

  it('equals BLAKE2b-128 keyed with the index key (CRYPTO.md)', async () => {
    const { sodium } = await import('../../../../shared/crypto/sodium.ts');
    const key = new Uint8Array(32).fill(9);
    expect(toHex(blindIndex(key, 'c'))).toBe(toHex(sodium().crypto_generichash(16, 'c', key)));
  });
});

describe('data keys wrapped by the password', () => {
  function storageKey(password: string, salt: Uint8Array): Uint8Array {
    const r = derivePasswordKeys(encodePassword(password), salt, CHEAP, TEST_BOUNDS);
    if (!r.ok) throw new Error(r.code);
    return r.value.storageKey;
  }

  it('the account password unwraps the data keys on this device', () => {
    const salt = newPasswordSalt();
    const keys = newAtRestKeys();
    const blob = wrapAtRestKeys(storageKey('pw', salt), keys, 'u_alice/dev1');
    const r = unwrapAtRestKeys(storageKey('pw', salt), blob, 'u_alice/dev1');
    expect(r.ok && toHex(r.value.dek)).toBe(toHex(keys.dek));
    expect(r.ok && toHex(r.value.indexKey)).toBe(toHex(keys.indexKey));
  });

  it('the storage key differs from the identity wrap key of the same password', () => {
    const r = derivePasswordKeys(encodePassword('pw'), newPasswordSalt(), CHEAP, TEST_BOUNDS);
    if (!r.ok) throw new Error(r.code);
    expect(toHex(r.value.storageKey)).not.toBe(toHex(r.value.idWrapKey));
  });

  it('a wrong password, another scope or a tampered blob does not unwrap', () => {
    const salt = newPasswordSalt();
    const blob = wrapAtRestKeys(storageKey('pw', salt), newAtRestKeys(), 'u_alice/dev1');
    const failed = { ok: false, code: 'DEK_UNWRAP_FAILED' };
    expect(unwrapAtRestKeys(storageKey('pW', salt), blob, 'u_alice/dev1')).toEqual(failed);
    expect(unwrapAtRestKeys(storageKey('pw', salt), blob, 'u_bob/dev1')).toEqual(failed);
    expect(unwrapAtRestKeys(storageKey('pw', salt), flipBit(blob, 300), 'u_alice/dev1')).toEqual(
      failed,
    );
    expect(unwrapAtRestKeys(storageKey('pw', salt), blob.subarray(1), 'u_alice/dev1')).toEqual({
      ok: false,
      code: 'DEK_WRAP_MALFORMED',
    });
  });

  it('a local passphrase can stand in for the account password', () => {
    const salt = newPasswordSalt();
    const derive = (p: string) => {
      const r = deriveLocalStorageKey(encodePassword(p), salt, CHEAP, TEST_BOUNDS);
      if (!r.ok) throw new Error(r.code);
      return r.value;
    };
    const keys = newAtRestKeys();
    const blob = wrapAtRestKeys(derive('local words'), keys, 'device');
    expect(unwrapAtRestKeys(derive('local words'), blob, 'device').ok).toBe(true);
    expect(unwrapAtRestKeys(derive('other words'), blob, 'device').ok).toBe(false);
    expect(deriveLocalStorageKey(encodePassword('x'), salt, CHEAP)).toEqual({
      ok: false,
      code: 'KDF_PARAMS_TOO_WEAK',
    });
  });
});
