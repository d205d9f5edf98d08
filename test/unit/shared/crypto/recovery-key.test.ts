import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../../shared/crypto/encoding.ts';
import { identityFromSeed, newIdentitySeed } from '../../../../shared/crypto/keys.ts';
import {
  formatRecoveryKey,
  newRecoveryKey,
  parseRecoveryKey,
  unwrapIdentitySeedWithRecoveryKey,
  wrapIdentitySeedWithRecoveryKey,
} from '../../../../shared/crypto/recovery-key.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

describe('recovery key display', () => {
  it('shows 56 Crockford base32 characters in groups of four', () => {
    const text = formatRecoveryKey(newRecoveryKey());
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){13}[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('reads back what it shows, forgiving case, spacing and look-alike letters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        const text = formatRecoveryKey(key);
        const typed = text.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
        for (const input of [text, typed, `  ${text.replace(/-/g, '')}\n`]) {
          const r = parseRecoveryKey(input);
          expect(r.ok && toHex(r.value)).toBe(toHex(key));
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a mistyped character is caught by the checksum before any crypto', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(55),
        fc.nat(31),
        (key, position, replacement) => {
          const chars = formatRecoveryKey(key).replace(/-/g, '').split('');
          const typo = CROCKFORD[replacement]!;
          fc.pre(chars[position] !== typo);
          chars[position] = typo;
          expect(parseRecoveryKey(chars.join(''))).toEqual({
            ok: false,
            code: 'RECOVERY_KEY_CHECKSUM',
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('two swapped neighbouring characters are caught', () => {
    const chars = formatRecoveryKey(newRecoveryKey()).replace(/-/g, '').split('');
    const i = chars.findIndex((c, at) => c !== chars[at + 1]);
    [chars[i], chars[i + 1]] = [chars[i + 1]!, chars[i]!];
    expect(parseRecoveryKey(chars.join(''))).toEqual({ ok: false, code: 'RECOVERY_KEY_CHECKSUM' });
  });

  it('the wrong length or a foreign character is malformed', () => {
    const text = formatRecoveryKey(newRecoveryKey());
    for (const bad of [
      '',
      text.slice(0, -1),
      `${text}A`,
      text.replace(/.$/, 'U'),
      `${text.slice(0, -1)}é`,
    ]) {
      expect(parseRecoveryKey(bad)).toEqual({ ok: false, code: 'RECOVERY_KEY_MALFORMED' });
    }
  });
});

describe('identity seed wrapped by the recovery key', () => {
  function setup() {
    const identity = identityFromSeed(newIdentitySeed());
    const recoveryKey = newRecoveryKey();
    const ctx = { userId: 'u_alice', ikPk: identity.publicKey };
    const blob = wrapIdentitySeedWithRecoveryKey(recoveryKey, identity.seed, ctx);
    return { identity, recoveryKey, ctx, blob };
  }

  it('the recovery key, typed back in, restores the identity', () => {
    const { identity, recoveryKey, ctx, blob } = setup();
    const typed = parseRecoveryKey(formatRecoveryKey(recoveryKey));
    if (!typed.ok) throw new Error(typed.code);
    const r = unwrapIdentitySeedWithRecoveryKey(typed.value, blob, ctx);
    expect(r.ok && toHex(r.value.publicKey)).toBe(toHex(identity.publicKey));
  });

  it('a wrong recovery key never unwraps', () => {
    const { ctx, blob } = setup();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (guess) => {
        expect(unwrapIdentitySeedWithRecoveryKey(guess, blob, ctx)).toEqual({
          ok: false,
          code: 'IDWRAP_DECRYPT_FAILED',
        });
      }),
      { numRuns: 50 },
    );
  });

  it('a tampered blob, or one presented for another account, does not open', () => {
    const { recoveryKey, ctx, blob } = setup();
    fc.assert(
      fc.property(fc.nat(blob.length * 8 - 1), (bit) => {
        expect(unwrapIdentitySeedWithRecoveryKey(recoveryKey, flipBit(blob, bit), ctx).ok).toBe(
          false,
        );
      }),
      { numRuns: 100 },
    );
    expect(
      unwrapIdentitySeedWithRecoveryKey(recoveryKey, blob, { ...ctx, userId: 'u_bob' }).ok,
    ).toBe(false);
    expect(unwrapIdentitySeedWithRecoveryKey(recoveryKey, blob.subarray(2), ctx)).toEqual({
      ok: false,
      code: 'IDWRAP_MALFORMED',
    });
  });

  it('wrapping the same seed twice never gives the same blob (fresh nonce)', () => {
    const { identity, recoveryKey, ctx } = setup();
    const a = wrapIdentitySeedWithRecoveryKey(recoveryKey, identity.seed, ctx);
    const b = wrapIdentitySeedWithRecoveryKey(recoveryKey, identity.seed, ctx);
    expect(toHex(a)).not.toBe(toHex(b));
  });
});
