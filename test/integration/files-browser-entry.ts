/**
 * The page side of files-chromium.test.ts: a whole engine in a Chromium page
 * (real WebRTC, real IndexedDB, OPFS for incoming files), driven by the test
 * through `globalThis.parleyFilesTest`.
 */
import { newAtRestKeys } from '../../shared/crypto/at-rest.ts';
import { loadSodium, sodium } from '../../shared/crypto/sodium.ts';
import { ParleyClient } from '../../web/core/client.ts';
import { blobSource } from '../../web/core/files/file-io.ts';
import { handleSource, handleSourceStore } from '../../web/core/files/handle-source-store.ts';
import { opfsSinkFactory } from '../../web/core/files/opfs-sink.ts';
import {
  type BrowserSinkFactory,
  browserSinkFactory,
} from '../../web/core/files/opfs-worker-sink.ts';
import type { TransferView } from '../../web/core/files/transfer-board.ts';
import { HistoryStore } from '../../web/core/history/history-store.ts';
import { RelayClient } from '../../web/core/relay-client.ts';
import { testDevice } from '../support/identities.ts';

let client: ParleyClient | null = null;
/** Everything a restart of the engine needs (the page's "reload" keeps storage, loses memory). */
let restartWith: (() => Promise<ParleyClient>) | null = null;
let myDeviceId = '';
let sinks: BrowserSinkFactory | null = null;
/** JS heap samples while a transfer runs (Chromium's performance.memory; precise with --enable-precise-memory-info). */
let heap: { baseline: number; peak: number; stop: () => void } | null = null;
const HEAP_SAMPLE_MS = 50;

function usedHeapBytes(): number | null {
  const memory = (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory;
  return memory ? memory.usedJSHeapSize : null;
}

function engine(): ParleyClient {
  if (!client) throw new Error('not started');
  return client;
}

/** Deterministic bytes in 1 MiB parts (xorshift32 across the whole file). */
function* testParts(size: number, seed: number): Generator<Uint8Array<ArrayBuffer>> {
  let x = seed >>> 0 || 1;
  for (let at = 0; at < size; at += 1024 * 1024) {
    const part = new Uint8Array(Math.min(1024 * 1024, size - at));
    const words = new Uint32Array(part.buffer, 0, part.length >> 2);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    yield part;
  }
}

/** The page's "file" as one Blob (fine up to tens of MiB). */
function testBlob(size: number, seed: number): Blob {
  return new Blob([...testParts(size, seed)]);
}

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const api = {
  /**
   * `ice`: TURN servers and relay-only policy for the TURN-only test; default: host candidates.
   * `sink`: `default` is what the app uses (the worker's sync access handles
   * where they exist, else the page's writable); `writable` forces the fallback.
   * Offered files are kept by handle (handleSourceStore) when shared from one.
   */
  async start(
    username: string,
    ice: { iceServers: RTCIceServer[]; relayOnly: boolean } = { iceServers: [], relayOnly: false },
    sink: 'default' | 'writable' = 'default',
  ): Promise<string> {
    await loadSodium();
    const device = testDevice();
    const wsUrl = `${location.origin.replace(/^http/, 'ws')}/ws`;
    const rc = new RelayClient({ url: wsUrl });
    const authed = await rc.register(username, {
      device: device.dk,
      cert: device.cert,
      spk: device.spk,
    });
    rc.close();
    const keys = newAtRestKeys();
    const boot = async () => {
      sinks = sink === 'default' ? browserSinkFactory() : null;
      const history = await HistoryStore.open({
        dbName: `files-${username}`,
        dek: keys.dek.slice(),
        indexKey: keys.indexKey.slice(),
      });
      return ParleyClient.start({
        relayUrl: wsUrl,
        history,
        account: {
          userId: authed.userId,
          username,
          ikPk: device.identity.publicKey,
          deviceId: device.deviceId,
          dk: device.dk,
          cert: device.cert,
          prekeys: [
            {
              id: device.spk.id,
              publicKey: device.spk.publicKey,
              privateKey: device.spk.privateKey,
            },
          ],
        },
        mesh: {
          iceServers: ice.iceServers,
          ...(ice.relayOnly ? { iceTransportPolicy: 'relay' as const } : {}),
        },
        files: {
          sinks: sinks ?? opfsSinkFactory(),
          sources: handleSourceStore(),
        },
      });
    };
    restartWith = boot;
    client = await boot();
    myDeviceId = device.deviceId;
    return device.deviceId;
  },
  deviceId(): string {
    return myDeviceId;
  },
  /** The engine stops and starts again on the same storage, as after a reload. */
  async restartEngine(): Promise<void> {
    if (!restartWith) throw new Error('not started');
    engine().close();
    sinks?.close();
    client = null;
    client = await restartWith();
  },
  /**
   * Shares a large file written to OPFS 1 MiB at a time and hashed as it is
   * written: a Blob of hundreds of MiB built in the page is paged to disk by
   * Chromium's blob storage and can fail to read back (NotReadableError).
   */
  async shareLarge(
    roomId: string,
    size: number,
    seed: number,
  ): Promise<{ fileId: string; sha256: string }> {
    const s = sodium();
    const state = s.crypto_hash_sha256_init();
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('outbox', {
      create: true,
    });
    const handle = await dir.getFileHandle(`large-${seed}.bin`, { create: true });
    const writable = await handle.createWritable();
    for (const part of testParts(size, seed)) {
      s.crypto_hash_sha256_update(state, part);
      await writable.write(part);
    }
    await writable.close();
    const sha256 = [...s.crypto_hash_sha256_final(state)]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    const fileId = await engine().shareFile(roomId, await handleSource(handle));
    return { fileId, sha256 };
  },
  /** Shares `size` bytes from a file in OPFS (a FileSystemFileHandle the engine can keep). */
  async shareFromOpfs(
    roomId: string,
    size: number,
    seed: number,
  ): Promise<{ fileId: string; sha256: string }> {
    const blob = testBlob(size, seed);
    const sha256 = await sha256Hex(blob);
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('outbox', {
      create: true,
    });
    const handle = await dir.getFileHandle(`shared-${seed}.bin`, { create: true });
    const writable = await handle.createWritable();
    await writable.write(blob);
    await writable.close();
    const fileId = await engine().shareFile(roomId, await handleSource(handle));
    return { fileId, sha256 };
  },
  /** The sender's board entry as the engine has it now (not the batched signal). */
  outgoing(transferId: string): TransferView | null {
    return engine().files.board.get(transferId) ?? null;
  },
  needsSource(): number {
    return engine().files.needsSource.value.length;
  },
  async createRoom(): Promise<string> {
    return (await engine().createRoom('pages', 'public')).roomId;
  },
  async joinRoom(roomId: string): Promise<void> {
    await engine().joinRoom(roomId);
  },
  path(roomId: string): string | null {
    const peer = engine()
      .room(roomId)
      ?.mesh.peers()
      .find((p) => p.verified);
    return peer ? peer.path : null;
  },
  async share(
    roomId: string,
    size: number,
    seed: number,
  ): Promise<{ fileId: string; sha256: string }> {
    const blob = testBlob(size, seed);
    const sha256 = await sha256Hex(blob);
    const fileId = await engine().shareFile(roomId, blobSource(blob, 'pages.bin'));
    return { fileId, sha256 };
  },
  transfer(fileId: string, direction: 'in' | 'out'): TransferView | null {
    return (
      engine().files.transfers.value.find(
        (t) => t.fileId === fileId && t.direction === direction,
      ) ?? null
    );
  },
  async accept(transferId: string): Promise<void> {
    await engine().files.accept(transferId);
  },
  async savedSha256(savedAs: string): Promise<string> {
    const [dirName = '', name = ''] = savedAs.split('/');
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(dirName);
    return sha256Hex(await (await dir.getFileHandle(name)).getFile());
  },
  async sinkKind(): Promise<string> {
    return sinks ? sinks.kind() : 'writable';
  },
  memoryBytes(): number | null {
    return usedHeapBytes();
  },
  startHeapSampling(): boolean {
    const baseline = usedHeapBytes();
    if (baseline === null) return false;
    const h: { baseline: number; peak: number; stop: () => void } = {
      baseline,
      peak: baseline,
      stop: () => undefined,
    };
    const timer = setInterval(() => {
      h.peak = Math.max(h.peak, usedHeapBytes() ?? 0);
    }, HEAP_SAMPLE_MS);
    h.stop = () => clearInterval(timer);
    heap = h;
    return true;
  },
  stopHeapSampling(): { baseline: number; peak: number } | null {
    if (!heap) return null;
    heap.stop();
    const { baseline, peak } = heap;
    heap = null;
    return { baseline, peak };
  },
};

export type FilesPageApi = typeof api;
(globalThis as unknown as { parleyFilesTest: FilesPageApi }).parleyFilesTest = api;
document.title = 'ready';
