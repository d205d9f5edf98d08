/**
 * Secretstream states live in the WebAssembly heap, where libsodium.js never
 * frees them; secretstream.ts zeroes and frees them through libsodium.js's
 * undocumented Emscripten module. These tests pin that: the internals exist
 * in this build (so freeing is not silently skipped), a freed state no longer
 * holds its key, and odd inputs are ignored rather than corrupting the heap.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { LinkReceiver, LinkSender } from '../../../../shared/crypto/link-session.ts';
import { randomBytes } from '../../../../shared/crypto/random.ts';
import {
  freeStreamState,
  initPull,
  initPush,
  pull,
  push,
  pushInto,
  STREAM_TAG,
  type StreamState,
  streamOverheadBytes,
} from '../../../../shared/crypto/secretstream.ts';
import { loadSodium, sodium } from '../../../../shared/crypto/sodium.ts';

beforeAll(async () => {
  await loadSodium();
});

interface Module {
  HEAPU8: Uint8Array;
  _free: unknown;
  _crypto_secretstream_xchacha20poly1305_statebytes: () => number;
}

/** Read afresh each time: the heap view is replaced when wasm memory grows. */
function wasm(): Module {
  return (sodium() as unknown as { libsodium: Module }).libsodium;
}

describe('secretstream state release', () => {
  it('the libsodium.js internals that freeing relies on are present', () => {
    const m = wasm();
    expect(typeof m._free).toBe('function');
    expect(m.HEAPU8).toBeInstanceOf(Uint8Array);
    expect(m._crypto_secretstream_xchacha20poly1305_statebytes()).toBe(52);
  });

  it('a freed state no longer holds its key in the wasm heap', () => {
    const { state } = initPush(randomBytes(32));
    const at = state as unknown as number;
    // Bytes 8..44: the stream key (after the first 8, which the allocator may
    // reuse for its free-list links) and the nonce.
    const region = () => wasm().HEAPU8.slice(at + 8, at + 44);
    expect(region().some((b) => b !== 0)).toBe(true);
    freeStreamState(state);
    expect(region().every((b) => b === 0)).toBe(true);
  });

  it('ignores states it cannot have made instead of touching the heap', () => {
    for (const bogus of [0, -8, 1.5, 2 ** 40, Number.NaN, '12', null, {}]) {
      expect(() => freeStreamState(bogus as unknown as StreamState)).not.toThrow();
    }
  });

  it('owners free once: closing or destroying twice is harmless', () => {
    const key = randomBytes(32);
    const sender = new LinkSender(key.slice());
    const receiver = LinkReceiver.create(key.slice(), sender.header);
    expect(receiver).not.toBeNull();
    expect(sender.close()).not.toBeNull();
    expect(sender.close()).toBeNull();
    sender.destroy();
    receiver!.destroy();
    receiver!.destroy();
    expect(receiver!.open(new Uint8Array(40))).toEqual({ ok: false, code: 'LINK_CLOSED' });
  });
});

/**
 * push/pull call libsodium's exports directly through a scratch region of
 * the wasm heap (no wrapper mallocs or output copies). These pin that the
 * direct path is exactly libsodium's secretstream: frames interoperate with
 * the libsodium.js wrappers both ways, with and without AD, every tag
 * survives, tampering is refused, and nothing is left behind in the heap.
 */
/** toEqual on megabytes is slow; this is not. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('secretstream push and pull through the wasm heap', () => {
  const s = () => sodium();
  const TAGS = () => [
    s().crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
    s().crypto_secretstream_xchacha20poly1305_TAG_PUSH,
    s().crypto_secretstream_xchacha20poly1305_TAG_REKEY,
    s().crypto_secretstream_xchacha20poly1305_TAG_FINAL,
  ];
  const LENGTHS = [0, 1, 17, 1_000, 65_536, 200_000, 2_000_000];

  it('frames it seals open with libsodium.js, tags and AD included', () => {
    const key = randomBytes(32);
    const { state, header } = initPush(key);
    const wrapperState = s().crypto_secretstream_xchacha20poly1305_init_pull(header, key);
    LENGTHS.forEach((length, i) => {
      const plaintext = randomBytes(length);
      const ad = i % 2 ? randomBytes(i * 7) : null;
      const tag = TAGS()[i % 3] as number;
      const frame = push(state, plaintext, ad, tag);
      expect(frame.length).toBe(length + streamOverheadBytes());
      const opened = s().crypto_secretstream_xchacha20poly1305_pull(wrapperState, frame, ad);
      expect(opened).not.toBe(false);
      if (!opened) return;
      expect(opened.tag).toBe(tag);
      expect(sameBytes(opened.message, plaintext)).toBe(true);
    });
    freeStreamState(state);
    freeStreamState(wrapperState);
  });

  it('opens what libsodium.js sealed, and returns arrays of its own, not heap views', () => {
    const key = randomBytes(32);
    const { state: wrapperState, header } =
      s().crypto_secretstream_xchacha20poly1305_init_push(key);
    const state = initPull(header, key);
    expect(state).not.toBeNull();
    if (!state) return;
    LENGTHS.forEach((length, i) => {
      const plaintext = randomBytes(length);
      const ad = i % 2 ? null : randomBytes(40);
      const tag = TAGS()[i % 4 === 3 ? 0 : i % 4] as number;
      const frame = s().crypto_secretstream_xchacha20poly1305_push(
        wrapperState,
        plaintext,
        ad,
        tag,
      );
      const opened = pull(state, frame, ad);
      expect(opened?.tag).toBe(tag);
      expect(opened && sameBytes(opened.message, plaintext)).toBe(true);
      expect(opened?.message.buffer).not.toBe(wasm().HEAPU8.buffer);
    });
    freeStreamState(state);
  });

  it('pushInto writes the frame into a view of a larger message, untouched around it', () => {
    const key = randomBytes(32);
    const { state, header } = initPush(key);
    const reader = initPull(header, key);
    const plaintext = randomBytes(65_536);
    const message = new Uint8Array(10 + plaintext.length + streamOverheadBytes() + 10).fill(0xaa);
    const view = message.subarray(10, message.length - 10);
    pushInto(state, plaintext, null, STREAM_TAG.final, view);
    expect(message.subarray(0, 10).every((b) => b === 0xaa)).toBe(true);
    expect(message.subarray(message.length - 10).every((b) => b === 0xaa)).toBe(true);
    const opened = reader ? pull(reader, view, null) : null;
    expect(opened?.tag).toBe(STREAM_TAG.final);
    expect(opened && sameBytes(opened.message, plaintext)).toBe(true);
    expect(() => pushInto(state, plaintext, null, STREAM_TAG.message, new Uint8Array(3))).toThrow(
      RangeError,
    );
    freeStreamState(state);
    if (reader) freeStreamState(reader);
  });

  it('a tampered frame or the wrong AD is refused, and the stream still opens the real one', () => {
    const key = randomBytes(32);
    const { state, header } = initPush(key);
    const reader = initPull(header, key);
    if (!reader) throw new Error('no reader');
    const ad = randomBytes(16);
    const frame = push(state, randomBytes(1_000), ad, STREAM_TAG.message);
    const tampered = frame.slice();
    tampered[500] = (tampered[500] ?? 0) ^ 1;
    expect(pull(reader, tampered, ad)).toBeNull();
    expect(pull(reader, frame, randomBytes(16))).toBeNull();
    expect(pull(reader, frame, null)).toBeNull();
    expect(pull(reader, frame, ad)?.tag).toBe(STREAM_TAG.message);
    freeStreamState(state);
    freeStreamState(reader);
  });

  it('leaves no plaintext in the wasm heap after a push or a pull', () => {
    const key = randomBytes(32);
    const { state, header } = initPush(key);
    const reader = initPull(header, key);
    if (!reader) throw new Error('no reader');
    // A marker no random heap content will contain by chance.
    const plaintext = new Uint8Array(4_096);
    for (let i = 0; i < plaintext.length; i++) plaintext[i] = (i * 131 + 7) & 0xff;
    const frame = push(state, plaintext, null, STREAM_TAG.message);
    expect(pull(reader, frame, null)?.message).toEqual(plaintext);
    const heap = wasm().HEAPU8;
    const needle = plaintext.subarray(100, 164);
    let found = false;
    for (
      let at = heap.indexOf(needle[0] as number);
      at >= 0 && !found;
      at = heap.indexOf(needle[0] as number, at + 1)
    ) {
      let match = true;
      for (let j = 1; j < needle.length && match; j++) match = heap[at + j] === needle[j];
      found = match;
    }
    expect(found).toBe(false);
    freeStreamState(state);
    freeStreamState(reader);
  });
});
