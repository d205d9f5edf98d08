/**
 * Thin layer over `crypto_secretstream_xchacha20poly1305` shared by link
 * sessions and file segments: typed states, a `pull` that never throws, and
 * `free` — libsodium.js allocates each state (which holds the stream key) in
 * the WebAssembly heap and exposes no way to release it, so we zero and free
 * it ourselves (CRYPTO.md: "Free secretstream states … when done").
 *
 * Push and pull call the Emscripten exports directly through one reused
 * scratch region (below) instead of the libsodium.js wrappers: the
 * wrappers malloc and free three buffers per call and copy the output into a
 * fresh array, which for 64 KiB file chunks (encrypted twice: segment, then
 * link) cost as much CPU as the cipher itself (P4). Same functions, same
 * bytes; the wrappers stay as the fallback.
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
  _malloc?: (bytes: number) => number;
  HEAPU8?: Uint8Array;
  _crypto_secretstream_xchacha20poly1305_statebytes?: () => number;
  /** (state, c, clen_p, m, mlen lo, mlen hi, ad, adlen lo, adlen hi, tag) → 0 on success. */
  _crypto_secretstream_xchacha20poly1305_push?: (...args: number[]) => number;
  /** (state, m, mlen_p, tag_p, c, clen lo, clen hi, ad, adlen lo, adlen hi) → 0 on success. */
  _crypto_secretstream_xchacha20poly1305_pull?: (...args: number[]) => number;
}

/** The members the direct path uses, all checked present. */
type StreamHeap = Required<
  Pick<
    WasmHeap,
    | '_free'
    | '_malloc'
    | '_crypto_secretstream_xchacha20poly1305_push'
    | '_crypto_secretstream_xchacha20poly1305_pull'
  >
> & { HEAPU8: Uint8Array };

/**
 * The scratch region starts big enough for a 64 KiB file chunk going through
 * both layers (input, output, AD) and grows to the largest frame seen up to
 * this cap; anything larger (never on the chunk path) takes the wrappers.
 */
const SCRATCH_MIN_BYTES = 160 * 1024;
const SCRATCH_MAX_BYTES = 1024 * 1024;

function wasmHeap(): WasmHeap | undefined {
  return (sodium() as unknown as { libsodium?: WasmHeap }).libsodium;
}

let streamHeap: { module: WasmHeap; heap: StreamHeap | null } | null = null;

/** The direct path when this libsodium.js build exposes it, else null (use the wrappers). */
function directHeap(): StreamHeap | null {
  const module = wasmHeap();
  if (!module) return null;
  if (streamHeap?.module === module) return streamHeap.heap;
  const usable =
    typeof module._malloc === 'function' &&
    typeof module._free === 'function' &&
    module.HEAPU8 instanceof Uint8Array &&
    typeof module._crypto_secretstream_xchacha20poly1305_push === 'function' &&
    typeof module._crypto_secretstream_xchacha20poly1305_pull === 'function';
  streamHeap = { module, heap: usable ? (module as StreamHeap) : null };
  return streamHeap.heap;
}

let scratch: { heap: StreamHeap; address: number; bytes: number } | null = null;

/**
 * The address of at least `bytes` of scratch heap, or 0 (too large, or malloc
 * failed). Only used inside one synchronous push or pull, and wiped there.
 * After this returns, read `heap.HEAPU8` afresh: malloc may have grown memory
 * and replaced the view.
 */
function scratchAddress(heap: StreamHeap, bytes: number): number {
  if (scratch?.heap === heap && scratch.bytes >= bytes) return scratch.address;
  if (bytes > SCRATCH_MAX_BYTES) return 0;
  if (scratch?.heap === heap) heap._free(scratch.address);
  scratch = null;
  const size = Math.min(SCRATCH_MAX_BYTES, Math.max(SCRATCH_MIN_BYTES, bytes * 2));
  const address = heap._malloc(size);
  if (!address) return 0;
  scratch = { heap, address, bytes: size };
  return address;
}

/**
 * Encrypts through the scratch region straight into `out`. False when the
 * direct path is unavailable (nothing was done: the caller uses the wrapper).
 */
function heapPush(
  state: number,
  plaintext: Uint8Array,
  ad: Uint8Array | null,
  tag: number,
  out: Uint8Array,
): boolean {
  const heap = directHeap();
  if (!heap || typeof state !== 'number') return false;
  const adBytes = ad?.length ?? 0;
  const base = scratchAddress(heap, plaintext.length + adBytes + out.length);
  if (!base) return false;
  const m = base;
  const a = m + plaintext.length;
  const c = a + adBytes;
  const memory = heap.HEAPU8;
  memory.set(plaintext, m);
  if (ad) memory.set(ad, a);
  const rc = heap._crypto_secretstream_xchacha20poly1305_push(
    state,
    c,
    0,
    m,
    plaintext.length,
    0,
    ad ? a : 0,
    adBytes,
    0,
    tag,
  );
  // Push allocates nothing, but the view is re-read so a growth can never bite.
  const after = heap.HEAPU8;
  if (rc === 0) out.set(after.subarray(c, c + out.length));
  // Only the plaintext is wiped: the AD and the ciphertext go on the wire anyway.
  after.fill(0, m, a);
  if (rc !== 0) throw new Error('parley/secretstream: push failed');
  return true;
}

/**
 * Decrypts through the scratch region: the message (copied into `into`, else
 * a fresh array; never a view of the heap) and tag, null when it does not
 * open, or undefined when the direct path is unavailable (the caller uses
 * the wrapper). `into` is only written when the frame opens.
 */
function heapPull(
  state: number,
  cipher: Uint8Array,
  ad: Uint8Array | null,
  into?: Uint8Array,
): { message: Uint8Array; tag: number } | null | undefined {
  const heap = directHeap();
  if (!heap || typeof state !== 'number') return undefined;
  const adBytes = ad?.length ?? 0;
  const messageBytes = cipher.length - streamOverheadBytes();
  const base = scratchAddress(heap, cipher.length + adBytes + messageBytes + 1);
  if (!base) return undefined;
  const c = base;
  const a = c + cipher.length;
  const m = a + adBytes;
  const t = m + messageBytes;
  const memory = heap.HEAPU8;
  memory.set(cipher, c);
  if (ad) memory.set(ad, a);
  const rc = heap._crypto_secretstream_xchacha20poly1305_pull(
    state,
    m,
    0,
    t,
    c,
    cipher.length,
    0,
    ad ? a : 0,
    adBytes,
    0,
  );
  const after = heap.HEAPU8;
  let result: { message: Uint8Array; tag: number } | null = null;
  if (rc === 0) {
    const message = into ?? new Uint8Array(messageBytes);
    message.set(after.subarray(m, t));
    result = { message, tag: after[t] ?? -1 };
  }
  // Only the plaintext (and its tag) is wiped: the ciphertext and AD came off the wire.
  after.fill(0, m, t + 1);
  return result;
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
  const out = new Uint8Array(plaintext.length + streamOverheadBytes());
  pushInto(state, plaintext, ad, tag, out);
  return out;
}

/**
 * `push`, writing the frame into `out` (exactly plaintext + overhead bytes
 * long, typically a view into a larger message being built), so a caller
 * that frames the ciphertext needs no second copy. `out` must not overlap
 * `plaintext`.
 */
export function pushInto(
  state: StreamState,
  plaintext: Uint8Array,
  ad: Uint8Array | null,
  tag: number,
  out: Uint8Array,
): void {
  if (out.length !== plaintext.length + streamOverheadBytes()) {
    throw new RangeError('parley/secretstream: output length must be plaintext + overhead');
  }
  if (heapPush(state as unknown as number, plaintext, ad, tag, out)) return;
  out.set(sodium().crypto_secretstream_xchacha20poly1305_push(state, plaintext, ad, tag));
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
    const fast = heapPull(state as unknown as number, cipher, ad);
    if (fast !== undefined) return fast;
    const out = sodium().crypto_secretstream_xchacha20poly1305_pull(state, cipher, ad);
    return out === false ? null : out;
  } catch {
    return null;
  }
}

/**
 * `pull`, writing the message into `out` (exactly cipher − overhead bytes,
 * typically a view into the buffer it is bound for) instead of a fresh
 * array, so a receiver that stores the plaintext needs no second copy.
 * Returns the tag, or null when the frame is short or fails authentication
 * (then `out` is untouched).
 */
export function pullInto(
  state: StreamState,
  cipher: Uint8Array,
  ad: Uint8Array | null,
  out: Uint8Array,
): number | null {
  if (cipher.length < streamOverheadBytes()) return null;
  if (out.length !== cipher.length - streamOverheadBytes()) {
    throw new RangeError('parley/secretstream: output length must be ciphertext − overhead');
  }
  try {
    const fast = heapPull(state as unknown as number, cipher, ad, out);
    if (fast !== undefined) return fast === null ? null : fast.tag;
    const opened = sodium().crypto_secretstream_xchacha20poly1305_pull(state, cipher, ad);
    if (opened === false) return null;
    out.set(opened.message);
    return opened.tag;
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
