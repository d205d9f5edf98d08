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

/**
 * Bytes of a secretstream state (k[32] ‖ nonce[12] ‖ pad[8]); libsodium.js
 * allocates exactly this many for each state it hands out.
 */
const STATE_BYTES = 52;

/**
 * The Emscripten module libsodium.js keeps as `.libsodium`: undocumented, so
 * every member is optional and checked before use. If a release renames them
 * the state is merely leaked (as libsodium.js itself does), never corrupted.
 */
interface WasmHeap {
  _free?: (pointer: number) => void;
  HEAPU8?: Uint8Array;
  _crypto_secretstream_xchacha20poly1305_statebytes?: () => number;
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

/**
 * Zeroes and releases a state; it must not be used afterwards. Safe because
 * every owner (LinkSender, LinkReceiver, SegmentEncryptor/Decryptor) holds
 * its state privately and drops the pointer as it frees it, so a state is
 * freed at most once and never while a push/pull on it is running (all of
 * this is synchronous).
 */
export function freeStreamState(state: StreamState): void {
  const heap = (sodium() as unknown as { libsodium?: WasmHeap }).libsodium;
  const pointer = state as unknown;
  if (!heap || typeof pointer !== 'number' || !Number.isSafeInteger(pointer) || pointer <= 0) {
    return;
  }
  // Only a pointer the wrapper could have made (inside the heap) is touched.
  const memory = heap.HEAPU8;
  if (!memory || pointer + STATE_BYTES > memory.length) return;
  if (heap._crypto_secretstream_xchacha20poly1305_statebytes?.() !== STATE_BYTES) return;
  memory.fill(0, pointer, pointer + STATE_BYTES);
  if (typeof heap._free === 'function') heap._free(pointer);
}
