/**
 * Random bytes from the platform CSPRNG (WebCrypto `getRandomValues`, in every
 * browser and in Node ≥ 19).
 *
 * Why not `sodium.randombytes_buf`: libsodium-wrappers 0.8.4 feeds its wasm
 * RNG through a JS callback that returns one 32-bit word per call, so 24
 * bytes cost ~100 µs (1 KiB ~3 ms) against ~3 µs here (measured in Node 20;
 * see bench/crypto.ts). The entropy source is the same one libsodium's ESM
 * build itself requires (`globalThis.crypto.getRandomValues`); only the path
 * is shorter. Use this on per-message paths (nonces); key generation inside
 * libsodium (keypairs, sealed boxes) still goes the slow way and is rare.
 */
interface WebCryptoRandom {
  getRandomValues<T extends Uint8Array>(array: T): T;
}

/** getRandomValues refuses more than 65 536 bytes per call. */
const MAX_BYTES_PER_CALL = 65_536;

function webCrypto(): WebCryptoRandom {
  const c = (globalThis as { crypto?: WebCryptoRandom }).crypto;
  if (!c || typeof c.getRandomValues !== 'function') {
    throw new Error('parley/crypto: globalThis.crypto.getRandomValues is unavailable');
  }
  return c;
}

export function randomBytes(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`parley/random: bad length ${length}`);
  }
  const out = new Uint8Array(length);
  const c = webCrypto();
  for (let at = 0; at < length; at += MAX_BYTES_PER_CALL) {
    c.getRandomValues(out.subarray(at, Math.min(length, at + MAX_BYTES_PER_CALL)));
  }
  return out;
}
