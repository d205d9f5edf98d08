/**
 * The page side of the engine benchmarks (P1–P4): whole engines in a
 * Chromium page — real WebRTC, real IndexedDB, OPFS or memory for incoming
 * files — driven from Node through `globalThis.parleyBench`. A page may hold
 * several engines (keyed), so a room of 32 fits in a few renderer processes.
 * Timings are taken here, on the page's clock, so the driver's round trips
 * through the DevTools protocol are not in them.
 */
import { newAtRestKeys } from '../../shared/crypto/at-rest.ts';
import { loadSodium } from '../../shared/crypto/sodium.ts';
import { testDevice } from '../../test/support/identities.ts';
import { ParleyClient } from '../../web/core/client.ts';
import { blobSource, type FileSink, type FileSinkFactory } from '../../web/core/files/file-io.ts';
import { opfsSinkFactory } from '../../web/core/files/opfs-sink.ts';
import {
  type BrowserSinkFactory,
  browserSinkFactory,
} from '../../web/core/files/opfs-worker-sink.ts';
import type { TransferView } from '../../web/core/files/transfer-board.ts';
import { HistoryStore } from '../../web/core/history/history-store.ts';
import { RelayClient } from '../../web/core/relay-client.ts';
import { measureIdbFloor } from './idb-floor.ts';
import { sendQueueProbe, testBlob, tracePeerConnections } from './page-probes.ts';
import { measureStoreCost } from './store-cost.ts';

const clients = new Map<string, ParleyClient>();
const browserSinks = new Map<string, BrowserSinkFactory>();
const probe = sendQueueProbe();
let pcLog: string[] = [];
let pcT0 = 0;
const traces = new Map<string, Array<[number, number, string]>>();

function engine(key: string): ParleyClient {
  const c = clients.get(key);
  if (!c) throw new Error(`bench page: no engine ${key}`);
  return c;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no result in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Keeps incoming bytes in memory: the engine's path without the disk. */
function memorySinkFactory(): FileSinkFactory {
  return {
    async open(_key, meta): Promise<FileSink> {
      let bytes: Uint8Array | null = new Uint8Array(meta.size);
      return {
        async write(offset, chunk) {
          bytes?.set(chunk, offset);
        },
        async read(offset, length) {
          return bytes ? bytes.slice(offset, offset + length) : new Uint8Array(0);
        },
        async commit() {
          bytes = null;
          return 'memory';
        },
        async discard() {
          bytes = null;
        },
        async close() {},
      };
    },
  };
}

/**
 * 'opfs' is what the app passes (web/ui/app/engine.ts): sync access handles
 * in the files worker (/files-worker.js beside this page), or the page's
 * writable where there is no such worker; 'writable' forces the latter.
 */
function sinkFactory(key: string, sink: 'opfs' | 'writable' | 'memory'): FileSinkFactory {
  if (sink === 'memory') return memorySinkFactory();
  if (sink === 'writable') return opfsSinkFactory();
  const factory = browserSinkFactory();
  browserSinks.set(key, factory);
  return factory;
}

/** "Rendering" a message: what the UI does at the least, one DOM write. */
const rendered = document.createElement('p');
document.body.append(rendered);

function verifiedPeers(key: string, roomId: string): number {
  return (
    engine(key)
      .room(roomId)
      ?.mesh.peers()
      .filter((p) => p.verified).length ?? 0
  );
}

const api = {
  async start(
    key: string,
    username: string,
    opts: { webrtc: boolean; sink: 'opfs' | 'writable' | 'memory' },
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
    const history = await HistoryStore.open({
      dbName: `bench-${username}`,
      dek: keys.dek,
      indexKey: keys.indexKey,
    });
    const client = await ParleyClient.start({
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
          { id: device.spk.id, publicKey: device.spk.publicKey, privateKey: device.spk.privateKey },
        ],
      },
      mesh: { iceServers: [], webrtc: opts.webrtc },
      files: {
        sinks: sinkFactory(key, opts.sink),
        maxFileBytes: 1024 * 1024 * 1024,
      },
    });
    clients.set(key, client);
    return device.deviceId;
  },

  async createRoom(key: string, name: string): Promise<string> {
    return (await engine(key).createRoom(name, 'public')).roomId;
  },

  async joinRoom(key: string, roomId: string): Promise<void> {
    await engine(key).joinRoom(roomId);
  },

  async leaveRoom(key: string, roomId: string): Promise<void> {
    await engine(key).leaveRoom(roomId);
  },

  verifiedPeers,

  /** Resolves with Date.now() once `key` has `count` verified peers in the room. */
  waitVerified(key: string, roomId: string, count: number, timeoutMs: number): Promise<number> {
    const wait = new Promise<number>((resolve) => {
      const check = () => {
        if (verifiedPeers(key, roomId) >= count) {
          clearInterval(timer);
          resolve(Date.now());
        }
      };
      const timer = setInterval(check, 5);
      check();
    });
    return withTimeout(wait, timeoutMs, `${key}: ${count} verified peers`);
  },

  /** Diagnostics: every peer's device id, path and whether it is verified. */
  peerStates(
    key: string,
    roomId: string,
  ): Array<{ deviceId: string; path: string; verified: boolean }> {
    return (engine(key).room(roomId)?.mesh.peers() ?? []).map((p) => ({
      deviceId: p.deviceId,
      path: p.path,
      verified: p.verified,
    }));
  },

  /** Peers by path (direct, turn, relay, connecting), for the notes. */
  paths(key: string, roomId: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const p of engine(key).room(roomId)?.mesh.peers() ?? []) {
      out[p.path] = (out[p.path] ?? 0) + 1;
    }
    return out;
  },

  /** Records (ms since `t0Epoch`, verified peers, peer closes) on every change of the room's mesh. */
  trace(key: string, roomId: string, t0Epoch: number): void {
    const mesh = engine(key).room(roomId)?.mesh;
    if (!mesh) throw new Error('no room');
    const log: Array<[number, number, string]> = [];
    traces.set(`${key}/${roomId}`, log);
    mesh.events.on('change', () => {
      const ps = mesh.peers();
      const ready = ps.filter((p) => p.verified).length;
      const last = log.at(-1);
      const paths = ps.map((p) => p.path[0]).join('');
      if (!last || last[1] !== ready || last[2] !== paths)
        log.push([Date.now() - t0Epoch, ready, paths]);
    });
    mesh.events.on('peerClose', (m) =>
      log.push([Date.now() - t0Epoch, -1, m.deviceId.slice(0, 6)]),
    );
  },

  readTrace(key: string, roomId: string): Array<[number, number, string]> {
    return traces.get(`${key}/${roomId}`) ?? [];
  },

  /** P1, the member's half: say hello the moment a verified link to the joiner opens. */
  armWelcome(key: string, roomId: string): void {
    const room = engine(key).room(roomId);
    if (!room) throw new Error('no room');
    const off = room.mesh.events.on('peerOpen', () => {
      off();
      void engine(key).sendText(roomId, 'welcome');
    });
  },

  /** P1, the joiner's half: from the join request to the first member's message stored. */
  async joinUntilFirstMessage(key: string, roomId: string, timeoutMs: number): Promise<number> {
    const c = engine(key);
    const t0 = performance.now();
    await withTimeout(c.joinRoom(roomId), timeoutMs, 'join');
    const conversation = c.conversation(roomId);
    if (!conversation) throw new Error('no conversation after join');
    if (conversation.messages.value.length === 0) {
      await withTimeout(
        new Promise<void>((resolve) => {
          const off = conversation.events.on('received', () => {
            off();
            resolve();
          });
        }),
        timeoutMs,
        'first message',
      );
    }
    return performance.now() - t0;
  },

  /** P3, the far side: render every ping and answer it. */
  armEcho(key: string, roomId: string): void {
    const c = engine(key);
    c.conversation(roomId)?.events.on('received', (event) => {
      if (event.body.type !== 'text' || !event.body.text.startsWith('ping')) return;
      rendered.textContent = event.body.text;
      void c.sendText(roomId, `pong${event.body.text.slice(4)}`);
    });
  },

  /**
   * P3, the near side: `count` pings of 100 B, each waiting for its pong to be
   * stored and rendered here. Returns round trips in ms.
   */
  async pingPong(key: string, roomId: string, count: number, timeoutMs: number): Promise<number[]> {
    const c = engine(key);
    const conversation = c.conversation(roomId);
    if (!conversation) throw new Error('no conversation');
    const samples: number[] = [];
    const pad = 'x'.repeat(90);
    for (let i = 0; i < count; i++) {
      const tag = `${i}`.padStart(6, '0');
      const pong = new Promise<number>((resolve) => {
        const off = conversation.events.on('received', (event) => {
          if (event.body.type !== 'text' || event.body.text !== `pong${tag}${pad}`) return;
          rendered.textContent = event.body.text;
          off();
          resolve(performance.now());
        });
      });
      const t0 = performance.now();
      await c.sendText(roomId, `ping${tag}${pad}`);
      samples.push((await withTimeout(pong, timeoutMs, `pong ${i}`)) - t0);
    }
    return samples;
  },

  /** P4: which OPFS sink `key` writes through ('sync-access-worker' or 'writable'). */
  async sinkKind(key: string): Promise<string> {
    return (await browserSinks.get(key)?.kind()) ?? 'none';
  },

  /** P4, the sender: shares `size` deterministic bytes; resolves to the file id. */
  async share(key: string, roomId: string, size: number): Promise<string> {
    return engine(key).shareFile(roomId, blobSource(testBlob(size, 77), 'bench.bin'));
  },

  transfer(key: string, fileId: string, direction: 'in' | 'out'): TransferView | null {
    return (
      engine(key).files.transfers.value.find(
        (t) => t.fileId === fileId && t.direction === direction,
      ) ?? null
    );
  },

  /** P4, the receiver: accepts the offer and resolves with ms until it is verified and saved. */
  async acceptUntilComplete(key: string, fileId: string, timeoutMs: number): Promise<number> {
    const c = engine(key);
    const find = () =>
      c.files.transfers.value.find((t) => t.fileId === fileId && t.direction === 'in');
    await withTimeout(
      new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (find()) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      }),
      timeoutMs,
      'offer arrives',
    );
    const t0 = performance.now();
    if (find()?.state === 'offered') await c.files.accept(`in:${fileId}`);
    const state = await withTimeout(
      new Promise<string>((resolve) => {
        const dispose = c.files.transfers.subscribe(() => {
          const s = find()?.state ?? '';
          if (['complete', 'failed', 'cancelled', 'declined'].includes(s)) {
            queueMicrotask(() => dispose());
            resolve(s);
          }
        });
      }),
      timeoutMs,
      'transfer complete',
    );
    if (state !== 'complete') throw new Error(`transfer ended ${state}: ${find()?.error}`);
    return performance.now() - t0;
  },

  /** Diagnostics: log peer connections' states from now on, ms since `t0Epoch` (set later). */
  tracePeerConnections(): void {
    pcLog = tracePeerConnections(() => pcT0);
  },
  setTraceEpoch(t0Epoch: number): void {
    pcT0 = t0Epoch;
  },
  readPeerConnectionTrace: (): string[] => pcLog,

  /** P3's floor: the bare IndexedDB transactions of one message (idb-floor.ts). */
  idbFloor: measureIdbFloor,
  /** P3: the engine's own history writes of one message, same page (store-cost.ts). */
  storeCost: measureStoreCost,

  sendQueue: () => probe.read(),
  resetSendQueue: () => probe.reset(),

  close(): void {
    for (const c of clients.values()) c.close();
    clients.clear();
    for (const s of browserSinks.values()) s.close();
    browserSinks.clear();
  },
};

export type EnginePageApi = typeof api;
(globalThis as unknown as { parleyBench: EnginePageApi }).parleyBench = api;
document.title = 'ready';
