/**
 * The comparisons measured beside the engine in the same run, in the same
 * Chromium: a bare RTCPeerConnection data channel with no app logic
 * (signalling through a trivial WebSocket broadcast on the bench's own
 * server) — the limit — and PeerJS's DataConnection with its own server
 * (`peer`) — what a PeerJS app gets. Driven through `globalThis.parleyBench`.
 */
import Peer, { type DataConnection } from 'peerjs';
import { sendQueueProbe, testBlob } from './page-probes.ts';

/** Same flow control the engine uses (CRYPTO.md "Files"): pause above 1 MiB, resume at 256 KiB. */
const HIGH_WATER_BYTES = 1024 * 1024;
const LOW_WATER_BYTES = 256 * 1024;
const CHUNK_BYTES = 64 * 1024;

const probe = sendQueueProbe();

interface RawEnd {
  ws: WebSocket;
  pc: RTCPeerConnection;
  channel: Promise<RTCDataChannel>;
}

const ends = new Map<string, RawEnd>();
const peers: Peer[] = [];
const connections = new Map<string, DataConnection>();

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

function openSocket(room: string): Promise<WebSocket> {
  const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}/signal?room=${room}`);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('signalling socket failed'));
  });
}

/** Wires trickle ICE and the offer/answer through the socket. */
function wire(ws: WebSocket, pc: RTCPeerConnection): void {
  pc.onicecandidate = (e) => {
    if (e.candidate) ws.send(JSON.stringify({ candidate: e.candidate.toJSON() }));
  };
  // Handled one at a time: a candidate must not reach the connection before its description.
  let queue = Promise.resolve();
  ws.onmessage = (e) => {
    queue = queue.then(() => onSignal(String(e.data))).catch(() => {});
  };
  async function onSignal(text: string): Promise<void> {
    const msg = JSON.parse(text) as {
      sdp?: RTCSessionDescriptionInit;
      candidate?: RTCIceCandidateInit;
    };
    if (msg.sdp) {
      await pc.setRemoteDescription(msg.sdp);
      if (msg.sdp.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        ws.send(JSON.stringify({ sdp: pc.localDescription?.toJSON() }));
      }
    } else if (msg.candidate) {
      await pc.addIceCandidate(msg.candidate);
    }
  }
}

function opened(channel: RTCDataChannel): Promise<RTCDataChannel> {
  channel.binaryType = 'arraybuffer';
  if (channel.readyState === 'open') return Promise.resolve(channel);
  return new Promise((resolve) => channel.addEventListener('open', () => resolve(channel)));
}

/** Resolves with the next message on the channel that `accept` takes. */
function nextMessage(channel: RTCDataChannel, accept: (data: unknown) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const on = (e: MessageEvent) => {
      if (!accept(e.data)) return;
      channel.removeEventListener('message', on);
      resolve();
    };
    channel.addEventListener('message', on);
  });
}

/** Sends `bytes` in 64 KiB messages, pausing while the send queue is above the high-water mark. */
async function pump(
  bytes: Uint8Array<ArrayBuffer>,
  send: (chunk: Uint8Array<ArrayBuffer>) => void,
  queued: () => number,
  channel: RTCDataChannel,
) {
  channel.bufferedAmountLowThreshold = LOW_WATER_BYTES;
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    if (queued() > HIGH_WATER_BYTES) {
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (queued() <= LOW_WATER_BYTES) done();
        }, 5);
        const done = () => {
          clearInterval(timer);
          channel.removeEventListener('bufferedamountlow', done);
          resolve();
        };
        channel.addEventListener('bufferedamountlow', done);
      });
    }
    send(bytes.subarray(at, Math.min(bytes.length, at + CHUNK_BYTES)));
  }
}

/**
 * Counts a bulk transfer announced by "expect:<bytes>" and calls `done` when
 * it is all there: the receiving end of the raw and PeerJS comparisons.
 */
function bulkCounter(done: () => void): (data: unknown) => void {
  let expected = Number.POSITIVE_INFINITY;
  let received = 0;
  return (data) => {
    if (typeof data === 'string') {
      if (data.startsWith('expect:')) {
        expected = Number(data.slice(7));
        received = 0;
      }
      return;
    }
    received += (data as ArrayBuffer).byteLength ?? 0;
    if (received >= expected) {
      expected = Number.POSITIVE_INFINITY;
      done();
    }
  };
}

/** The member's side of a raw channel: welcome, echo pings, count bulk bytes, say done. */
function serveMember(ch: RTCDataChannel): void {
  ch.send('welcome');
  const count = bulkCounter(() => ch.send('done'));
  ch.addEventListener('message', (e: MessageEvent) => {
    if (typeof e.data === 'string' && e.data.startsWith('ping')) ch.send(`pong${e.data.slice(4)}`);
    else count(e.data);
  });
}

/** PeerJS keeps its own queue (of up to 16 KiB pieces) when the channel is above 8 MiB. */
function queuedInPeerjs(conn: DataConnection): number {
  return ((conn as unknown as { bufferSize?: number }).bufferSize ?? 0) * CHUNK_BYTES;
}

const api = {
  /**
   * The member's end of a raw pair: waits for an offer on `room`, says
   * "welcome" when the channel opens, echoes pings, counts bulk bytes and
   * says "done" after each announced bulk transfer.
   */
  async rawListen(room: string): Promise<void> {
    const ws = await openSocket(room);
    const pc = new RTCPeerConnection({ iceServers: [] });
    wire(ws, pc);
    const channel = new Promise<RTCDataChannel>((resolve) => {
      pc.ondatachannel = (e) => resolve(opened(e.channel));
    });
    ends.set(room, { ws, pc, channel });
    // Returns once listening; the channel is served in the background.
    void channel.then((ch) => serveMember(ch));
  },

  /** Opens the joiner's signalling socket (the engine's relay socket is open before a join too). */
  async rawPrepare(room: string): Promise<void> {
    const ws = await openSocket(room);
    const pc = new RTCPeerConnection({ iceServers: [] });
    ends.set(room, { ws, pc, channel: Promise.reject(new Error('not started')) });
    ends.get(room)?.channel.catch(() => {});
  },

  /** P1 raw: offer → channel open → the member's first message, in ms. */
  async rawJoinUntilFirstMessage(room: string, timeoutMs: number): Promise<number> {
    const end = ends.get(room);
    if (!end) throw new Error('rawPrepare first');
    const t0 = performance.now();
    wire(end.ws, end.pc);
    const channel = end.pc.createDataChannel('bench');
    channel.binaryType = 'arraybuffer';
    const welcome = nextMessage(channel, (d) => d === 'welcome');
    end.channel = opened(channel);
    await end.pc.setLocalDescription(await end.pc.createOffer());
    end.ws.send(JSON.stringify({ sdp: end.pc.localDescription?.toJSON() }));
    await withTimeout(welcome, timeoutMs, 'raw welcome');
    return performance.now() - t0;
  },

  /** P3 raw: round trips of 100 B text messages, in ms. */
  async rawPingPong(room: string, count: number, timeoutMs: number): Promise<number[]> {
    const end = ends.get(room);
    if (!end) throw new Error('no raw pair');
    const ch = await end.channel;
    const pad = 'x'.repeat(90);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const tag = `${i}`.padStart(6, '0');
      const pong = nextMessage(ch, (d) => d === `pong${tag}${pad}`);
      const t0 = performance.now();
      ch.send(`ping${tag}${pad}`);
      await withTimeout(pong, timeoutMs, `raw pong ${i}`);
      samples.push(performance.now() - t0);
    }
    return samples;
  },

  /** P4 raw: `size` bytes from first send to the receiver's "done", in ms. */
  async rawSend(room: string, size: number, timeoutMs: number): Promise<number> {
    const end = ends.get(room);
    if (!end) throw new Error('no raw pair');
    const ch = await end.channel;
    const bytes = new Uint8Array(await testBlob(size, 77).arrayBuffer());
    const done = nextMessage(ch, (d) => d === 'done');
    const t0 = performance.now();
    ch.send(`expect:${size}`);
    await pump(
      bytes,
      (c) => ch.send(c),
      () => ch.bufferedAmount,
      ch,
    );
    await withTimeout(done, timeoutMs, 'raw done');
    return performance.now() - t0;
  },

  /** PeerJS receiver: registers `id` on the PeerServer and counts what arrives. */
  async peerjsListen(id: string, port: number, timeoutMs: number): Promise<void> {
    const peer = new Peer(id, {
      host: '127.0.0.1',
      port,
      path: '/',
      config: { iceServers: [] },
      debug: 0,
    });
    peers.push(peer);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        peer.on('open', () => resolve());
        peer.on('error', (e) => reject(e));
      }),
      timeoutMs,
      'peerjs open',
    );
    peer.on('connection', (conn: DataConnection) => {
      conn.on(
        'data',
        bulkCounter(() => conn.send('done')),
      );
    });
  },

  /** PeerJS sender: registers `id` and connects to `to`. */
  async peerjsConnect(id: string, to: string, port: number, timeoutMs: number): Promise<void> {
    const peer = new Peer(id, {
      host: '127.0.0.1',
      port,
      path: '/',
      config: { iceServers: [] },
      debug: 0,
    });
    peers.push(peer);
    await withTimeout(
      new Promise<void>((resolve) => peer.on('open', () => resolve())),
      timeoutMs,
      'peerjs open',
    );
    const conn = peer.connect(to, { reliable: true });
    await withTimeout(
      new Promise<void>((resolve) => conn.on('open', () => resolve())),
      timeoutMs,
      'peerjs connection',
    );
    connections.set(id, conn);
  },

  /** PeerJS sender: `size` bytes in 64 KiB sends, ms from the first until the receiver's "done". */
  async peerjsSend(id: string, size: number, timeoutMs: number): Promise<number> {
    const conn = connections.get(id);
    if (!conn) throw new Error('peerjsConnect first');
    const bytes = new Uint8Array(await testBlob(size, 77).arrayBuffer());
    const done = new Promise<void>((resolve) => {
      const on = (d: unknown) => {
        if (d !== 'done') return;
        conn.off('data', on);
        resolve();
      };
      conn.on('data', on);
    });
    const t0 = performance.now();
    const ch = conn.dataChannel;
    conn.send(`expect:${size}`);
    await pump(
      bytes,
      (c) => conn.send(c),
      () => ch.bufferedAmount + queuedInPeerjs(conn),
      ch,
    );
    await withTimeout(done, timeoutMs, 'peerjs done');
    return performance.now() - t0;
  },

  sendQueue: () => probe.read(),
  resetSendQueue: () => probe.reset(),

  close(): void {
    for (const end of ends.values()) {
      end.pc.close();
      end.ws.close();
    }
    ends.clear();
    for (const p of peers) p.destroy();
    peers.length = 0;
    connections.clear();
  },
};

export type RawPageApi = typeof api;
(globalThis as unknown as { parleyBench: RawPageApi }).parleyBench = api;
document.title = 'ready';
