/**
 * The two ends of a file transfer wired back to back, without a network:
 * what a malicious or broken sender can do to the chunk stream, and what the
 * receiver does about it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILES } from '../../../../../shared/crypto/constants.ts';
import { type FileOffer, makeFileOffer } from '../../../../../shared/crypto/files.ts';
import { loadSodium } from '../../../../../shared/crypto/sodium.ts';
import type { FileSink, FileSource } from '../../../../../web/core/files/file-io.ts';
import {
  decodeFileMessage,
  type FileMessage,
} from '../../../../../web/core/files/file-messages.ts';
import { IncomingTransfer } from '../../../../../web/core/files/incoming-transfer.ts';
import { OutgoingStream } from '../../../../../web/core/files/outgoing-stream.ts';
import { hashSource } from '../../../../../web/core/files/share.ts';

beforeAll(async () => {
  await loadSodium();
});

const CHUNK = FILES.minChunkBytes;
const SIZE = FILES.chunksPerSegment * CHUNK * 2 + 5_000; // three segments

function memorySource(bytes: Uint8Array, readInto = false): FileSource {
  const source: FileSource = {
    name: 'f.bin',
    mime: 'application/octet-stream',
    size: bytes.length,
    read: async (offset, length) => bytes.slice(offset, offset + length),
  };
  if (readInto) {
    source.readInto = async (offset, target) => {
      await new Promise((r) => setTimeout(r, 0));
      target.set(bytes.subarray(offset, offset + target.length));
    };
  }
  return source;
}

function memorySink(size: number) {
  const data = new Uint8Array(size);
  const state = { committed: false, discarded: false };
  const sink: FileSink = {
    write: async (offset, bytes) => data.set(bytes, offset),
    read: async (offset, length) => data.slice(offset, offset + length),
    commit: async () => {
      state.committed = true;
      return 'memory';
    },
    discard: async () => {
      state.discarded = true;
    },
    close: async () => undefined,
  };
  return { sink, data, state };
}

async function setup(opts: { wrongHash?: boolean; readInto?: boolean } = {}) {
  const bytes = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i++) bytes[i] = (i * 31 + (i >> 9)) & 0xff;
  const source = memorySource(bytes, opts.readInto);
  const hash = await hashSource(source);
  if (opts.wrongHash) hash[0] = (hash[0] ?? 0) ^ 1;
  const made = makeFileOffer({ name: 'f.bin', mime: 'x/y', size: SIZE, chunkSize: CHUNK, hash });
  if (!made.ok) throw new Error(made.code);
  const offer: FileOffer = made.value;
  const out = new OutgoingStream('dev', offer, source);
  const memory = memorySink(SIZE);
  const requests: number[] = [];
  let finished: { savedAs: string } | { error: { code: string } } | null = null;
  const incoming = new IncomingTransfer(offer, memory.sink, 0, {
    send: (m: FileMessage) => {
      if (m.t === 'request') {
        requests.push(m.segment);
        out.restartAt(m.segment);
      }
      if (m.t === 'ack') out.acked(m.segment, m.chunks);
    },
    segmentDone: () => undefined,
    progress: () => undefined,
    rejected: () => undefined,
    finished: (r) => {
      finished = r;
    },
  });
  const deliver = (m: FileMessage) => {
    if (m.t === 'header') incoming.onHeader(m.segment, m.header);
    if (m.t === 'chunk') incoming.onChunk(m.segment, m.chunk);
  };
  /** Runs the sender until it has nothing left, passing each message through `tamper`. */
  const run = async (tamper: (m: FileMessage, n: number) => FileMessage[] = (m) => [m]) => {
    let n = 0;
    while (out.wantsToSend) {
      for (const m of await out.next()) for (const t of tamper(m, n++)) deliver(t);
      // Let queued sink writes (and their acks) run.
      await new Promise((r) => setTimeout(r, 0));
    }
    for (let i = 0; i < 50 && !finished; i++) await new Promise((r) => setTimeout(r, 5));
    return finished;
  };
  /** Runs the sender as the send pump does: encoded messages, decoded by the receiver. */
  const runEncoded = async () => {
    while (out.wantsToSend) {
      for (const wire of await out.nextEncoded()) {
        const m = decodeFileMessage(wire);
        if (!m) throw new Error('undecodable message');
        deliver(m);
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    for (let i = 0; i < 50 && !finished; i++) await new Promise((r) => setTimeout(r, 5));
    return finished;
  };
  incoming.request();
  return { bytes, memory, requests, run, runEncoded, incoming };
}

/** toEqual on megabytes is slow; this is not. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

describe('a file transfer between its two ends', () => {
  it('as the send pump sends it (messages built in place, one reused read buffer): byte-identical', async () => {
    const t = await setup({ readInto: true });
    expect(await t.runEncoded()).toEqual({ savedAs: 'memory' });
    expect(sameBytes(t.memory.data, t.bytes)).toBe(true);
    expect(t.requests).toEqual([0]);
  });

  it('an honest sender: the file is committed and byte-identical', async () => {
    const t = await setup();
    expect(await t.run()).toEqual({ savedAs: 'memory' });
    expect(sameBytes(t.memory.data, t.bytes)).toBe(true);
    expect(t.requests).toEqual([0]);
  });

  it('a chunk spliced in from another segment is rejected and that segment fetched again', async () => {
    const t = await setup();
    let seg0Chunk: FileMessage | null = null;
    let spliced = false;
    const result = await t.run((m) => {
      if (m.t === 'chunk' && m.segment === 0 && !seg0Chunk) seg0Chunk = m;
      if (m.t === 'chunk' && m.segment === 1 && !spliced && seg0Chunk?.t === 'chunk') {
        spliced = true;
        return [{ ...m, chunk: seg0Chunk.chunk }];
      }
      return [m];
    });
    expect(spliced).toBe(true);
    expect(t.incoming.rejectedChunks).toBe(1);
    expect(t.requests).toEqual([0, 1]);
    expect(result).toEqual({ savedAs: 'memory' });
    expect(sameBytes(t.memory.data, t.bytes)).toBe(true);
  });

  it("a segment cut short (its FINAL chunk dropped) is noticed at the next segment's header and fetched again", async () => {
    const t = await setup();
    let dropped = false;
    const lastOfSegment0 = FILES.chunksPerSegment - 1;
    let chunkIndex = -1;
    const result = await t.run((m) => {
      if (m.t === 'chunk' && m.segment === 0) chunkIndex++;
      if (m.t === 'chunk' && m.segment === 0 && chunkIndex === lastOfSegment0 && !dropped) {
        dropped = true;
        return [];
      }
      return [m];
    });
    expect(dropped).toBe(true);
    expect(t.requests).toEqual([0, 0]);
    expect(result).toEqual({ savedAs: 'memory' });
    expect(sameBytes(t.memory.data, t.bytes)).toBe(true);
  });

  it('bytes that do not hash to the signed offer are discarded, never committed', async () => {
    const t = await setup({ wrongHash: true });
    const result = await t.run();
    expect(result).toMatchObject({ error: { code: 'FILE_HASH_MISMATCH' } });
    expect(t.memory.state).toEqual({ committed: false, discarded: true });
  });
});
