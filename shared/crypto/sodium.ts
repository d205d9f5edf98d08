/**
 * The one place libsodium is loaded. Every other crypto module is synchronous
 * and calls `sodium()` after the app has awaited `loadSodium()` once; this
 * keeps hot paths (per-frame encryption) free of promise overhead.
 *
 * The sumo build is required: the standard build lacks crypto_pwhash
 * (Argon2id) although its types declare it (CRYPTO.md).
 */
import lib from 'libsodium-wrappers-sumo';

export type Sodium = typeof lib;

let loading: Promise<Sodium> | undefined;
let loaded: Sodium | undefined;

export function loadSodium(): Promise<Sodium> {
  loading ??= lib.ready.then(() => {
    loaded = lib;
    return lib;
  });
  return loading;
}

/** The ready library; throws if `loadSodium()` has not finished. */
export function sodium(): Sodium {
  if (!loaded) throw new Error('parley/crypto: call `await loadSodium()` before using crypto');
  return loaded;
}
