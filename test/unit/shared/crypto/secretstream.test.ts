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
  initPush,
  type StreamState,
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
