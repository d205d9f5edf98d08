/**
 * Thin layer over `crypto_secretstream_xchacha20poly1305` shared by link
 * sessions and file segments: typed states, a `pull` that never throws, and
 * `free` — libsodium.js allocates each state (which holds the stream key) in
 * the WebAssembly heap and exposes no way to release it, so we zero and free
 * it ourselves (CRYPTO.md: "Free secretstream states … when done").
 */
import type { Sodium } from './sodium.ts';
import { sodium } from './sodium.ts';

export type StreamState = ReturnType<Sodium['crypto_secretstream_xchacha20poly1305_init_pull']>;

/** Bytes libsodium allocates for a secretstream state (the JS wrapper's size). */
const STATE_BYTES = 52;

interface WasmHeap {
  _free?: (pointer: number) => void;
  HEAPU8?: Uint8Array;
}

export const STREAM_TAG = {
  get message() {
    return sodium().crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
  },
  get push() {
    return sodium().crypto_secretstream_xchacha20poly1305_TAG_PUSH;
  },
  get rekey() {
    return sodium().crypto_secretstream_xchacha20poly1305_TAG_REKEY;
  },
  get final() {
    return sodium().crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  },
};

/** 1 tag byte + 16-byte MAC. */
export function streamOverheadBytes(): number {
  return sodium().crypto_secretstream_xchacha20poly1305_ABYTES;
}

export function streamHeaderBytes(): number {
  return sodium().crypto_secretstream_xchacha20poly1305_HEADERBYTES;
}

/** Starts a push stream; the key is copied into the state, so the caller may zero it. */
export function initPush(key: Uint8Array): { state: StreamState; header: Uint8Array } {
  return sodium().crypto_secretstream_xchacha20poly1305_init_push(key);
}

/** A pull state, or null when the header or key has the wrong length. */
export function initPull(header: Uint8Array, key: Uint8Array): StreamState | null {
  if (header.length !== streamHeaderBytes()) return null;
  try {
    return sodium().crypto_secretstream_xchacha20poly1305_init_pull(header, key);
  } catch {
    return null;
  }
}

export function push(
  state: StreamState,
  plaintext: Uint8Array,
  ad: Uint8Array | null,
  tag: number,
): Uint8Array {
  return sodium().crypto_secretstream_xchacha20poly1305_push(state, plaintext, ad, tag);
}

/**
 * Decrypts the next frame, or null when it is short or fails authentication.
 * A failed pull leaves the state untouched (libsodium checks the MAC first).
 */
export function pull(
  state: StreamState,
  cipher: Uint8Array,
  ad: Uint8Array | null,
): { message: Uint8Array; tag: number } | null {
  if (cipher.length < streamOverheadBytes()) return null;
  try {
    const out = sodium().crypto_secretstream_xchacha20poly1305_pull(state, cipher, ad);
    return out === false ? null : out;
  } catch {
    return null;
  }
}

/** Zeroes and releases a state; it must not be used afterwards. */
export function freeStreamState(state: StreamState): void {
  const heap = (sodium() as unknown as { libsodium?: WasmHeap }).libsodium;
  const pointer = state as unknown;
  if (!heap || typeof pointer !== 'number' || pointer <= 0) return;
  heap.HEAPU8?.fill(0, pointer, pointer + STATE_BYTES);
  heap._free?.(pointer);
}
