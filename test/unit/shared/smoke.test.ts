import sodium from 'libsodium-wrappers-sumo';
import { expect, it } from 'vitest';

it('libsodium sumo loads and has Argon2id', async () => {
  await sodium.ready;
  expect(typeof sodium.crypto_pwhash).toBe('function');
});
