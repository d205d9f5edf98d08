/**
 * A load-generator process for the relay benchmarks (forked by
 * relay-load.ts): it owns whole rooms, so a sender and its receivers share
 * one clock (latency is a subtraction, no clock sync) and one counter (the
 * sender's window is exact). Commands arrive over IPC; every reply carries
 * the command's id. Exits when the parent goes.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { loadSodium } from '../../shared/crypto/sodium.ts';
import { openRoom, parleyRegister, type Room, type ServerSpec } from './relay-clients.ts';
import type { WorkerCommand } from './relay-load.ts';

const DEBUG = process.env.PARLEY_BENCH_DEBUG === '1';
const SETUP_CONCURRENCY = 16;
const HOLD_CONCURRENCY = 64;
/** Below this many bytes queued in the client socket, a file sender writes more. */
const FILE_SOCKET_LOW_WATER = 1 << 20;

interface LoadRoom {
  room: Room;
  /** Per member: the wire size of one delivery frame, learnt in calibration. */
  frameBytes: number[];
  /** Room messages sent by the room's sender (member 0). */
  sent: number;
  /** Deliveries counted at members other than the sender. */
  delivered: number;
  fanout: number;
}

const rooms: LoadRoom[] = [];
const held: WebSocket[] = [];
let blasting = false;
let latencies: number[] = [];
let recordLatency = false;
let onFileChunk: ((data: Buffer) => void) | null = null;
const onSignal = new Map<LoadRoom, (member: number, data: Buffer) => void>();
let payloadBytes = 200;

function totals() {
  let sent = 0;
  let delivered = 0;
  const errors: Record<string, number> = {};
  for (const r of rooms) {
    sent += r.sent;
    delivered += r.delivered;
    for (const [code, n] of r.room.errors) errors[code] = (errors[code] ?? 0) + n;
  }
  return { sent, delivered, errors };
}

async function inBatches<T>(n: number, batch: number, make: (i: number) => Promise<T>) {
  const out: T[] = [];
  for (let i = 0; i < n; i += batch) {
    const count = Math.min(batch, n - i);
    out.push(...(await Promise.all(Array.from({ length: count }, (_, j) => make(i + j)))));
  }
  return out;
}

async function setup(spec: ServerSpec, tag: string, count: number, size: number) {
  await inBatches(count, SETUP_CONCURRENCY, async (i) => {
    const lr: LoadRoom = {
      room: null as unknown as Room,
      frameBytes: [],
      sent: 0,
      delivered: 0,
      fanout: size - 1,
    };
    lr.room = await openRoom(spec, `${tag}r${rooms.length + i}`, size, (member, data, isBinary) =>
      onRoomMessage(lr, member, data, isBinary),
    );
    rooms.push(lr);
  });
  return { rooms: rooms.length, sockets: rooms.length * size };
}

function onRoomMessage(lr: LoadRoom, member: number, data: Buffer, isBinary: boolean): void {
  if (onFileChunk && member === 1 && isBinary) {
    onFileChunk(data);
    return;
  }
  const probing = onSignal.get(lr);
  if (probing && !isBinary) {
    probing(member, data);
    return;
  }
  // Parley's text frames are control (presence, errors), not deliveries.
  if (lr.room.textIsControl && !isBinary) return;
  if (member === 0 && lr.room.echoesToSender) return;
  lr.delivered++;
  lr.frameBytes[member] = wireBytes(data.length);
  if (recordLatency) {
    const at = data.length - payloadBytes;
    const sentAt = data.readDoubleLE(at);
    const ms = performance.now() - sentAt;
    latencies.push(ms);
    if (DEBUG && ms > 50)
      process.stderr.write(`slow delivery ${ms.toFixed(1)} ms sent at ${sentAt.toFixed(0)}\n`);
  }
  if (blasting && member !== 0) topUp(lr);
}

let blastWindow = 0;
let blastPayload = Buffer.alloc(0);

/** Keeps `blastWindow` room messages in flight per sender (counted by deliveries). */
function topUp(lr: LoadRoom): void {
  if (lr.sent * lr.fanout - lr.delivered >= blastWindow * lr.fanout) return;
  const sender = lr.room.members[0]!;
  corked(lr, () => {
    while (lr.sent * lr.fanout - lr.delivered < blastWindow * lr.fanout) {
      sender.sendRoom(blastPayload);
      lr.sent++;
    }
  });
}

/** Bytes a server → client WebSocket frame of `payload` bytes takes on the wire (unmasked). */
function wireBytes(payload: number): number {
  return payload + (payload < 126 ? 2 : payload < 65_536 ? 4 : 10);
}

interface RawSocket {
  _socket: Socket;
}

/**
 * From here on a member's socket is read raw: the bytes are counted and
 * turned into deliveries by the frame size calibration learnt, and never
 * parsed. Receiving 100 k+ frames/s through `ws` costs a load process more
 * than forwarding them costs the relay; on two cores that would measure the
 * clients. Safe because nothing else arrives on these sockets while they
 * blast (Parley sends receivers no control frames then; a 2-byte ping
 * rounds away).
 */
function countRaw(lr: LoadRoom, member: number): void {
  const socket = (lr.room.members[member]!.ws as unknown as RawSocket)._socket;
  const frameBytes = lr.frameBytes[member] ?? 0;
  socket.removeAllListeners('data');
  let bytes = 0;
  let frames = 0;
  socket.on('data', (chunk: Buffer) => {
    if (member === 0 || frameBytes === 0) return;
    bytes += chunk.length;
    const now = Math.floor(bytes / frameBytes);
    lr.delivered += now - frames;
    frames = now;
    if (blasting) topUp(lr);
  });
}

function corked(lr: LoadRoom, send: () => void): void {
  const socket = (lr.room.members[0]!.ws as unknown as RawSocket)._socket;
  socket.cork();
  send();
  socket.uncork();
}

/**
 * One message per room first, received through `ws`, to learn each
 * receiver's frame size; then raw counting, then the blast.
 */
async function startBlast(window: number, bytes: number, timeoutMs: number): Promise<void> {
  blastWindow = window;
  blastPayload = Buffer.alloc(bytes, 0x78);
  for (const lr of rooms) {
    lr.room.members[0]!.sendRoom(blastPayload);
    lr.sent++;
  }
  const deadline = Date.now() + timeoutMs;
  while (rooms.some((lr) => lr.delivered < lr.fanout)) {
    if (Date.now() > deadline) throw new Error('blast: calibration message not delivered');
    await sleep(10);
  }
  for (const lr of rooms) for (let m = 0; m < lr.room.members.length; m++) countRaw(lr, m);
  blasting = true;
  for (const lr of rooms) topUp(lr);
}

/**
 * Stops topping up, waits for what is in flight, and says how many
 * deliveries never came: with raw counting this is also the check that the
 * byte count and the frame count agree (any stray or missing byte shows).
 */
async function stopBlast(drainMs: number) {
  blasting = false;
  const missing = () => rooms.reduce((n, lr) => n + lr.sent * lr.fanout - lr.delivered, 0);
  const deadline = Date.now() + drainMs;
  while (missing() !== 0 && Date.now() < deadline) await sleep(20);
  return { ...totals(), undelivered: missing() };
}

/**
 * Every member of every room sends `ratePerSec` room messages, each stamped
 * with its send time; every delivery's latency is recorded.
 */
async function paced(ratePerSec: number, durationMs: number, warmupMs: number, bytes: number) {
  payloadBytes = bytes;
  latencies = [];
  const periodMs = 1000 / ratePerSec;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const payload = Buffer.alloc(bytes, 0x78);
  for (const lr of rooms) {
    for (const m of lr.room.members) {
      const tick = () => {
        // A fresh buffer per send: the frame caches key on the buffer object.
        const p = Buffer.from(payload);
        p.writeDoubleLE(performance.now(), 0);
        m.sendRoom(p);
      };
      timers.push(
        setTimeout(() => {
          tick();
          timers.push(setInterval(tick, periodMs));
        }, Math.random() * periodMs),
      );
    }
  }
  await sleep(warmupMs);
  const before = totals();
  recordLatency = true;
  await sleep(durationMs);
  recordLatency = false;
  for (const t of timers) clearTimeout(t);
  await sleep(Math.min(1_000, periodMs));
  const after = totals();
  const samples = latencies;
  latencies = [];
  return {
    latenciesMs: samples,
    delivered: after.delivered - before.delivered,
    errors: after.errors,
  };
}

/**
 * Streams `totalBytes` from member 0 to member 1 of the first room in
 * `frameBytes` frames, at most `windowBytes` unacknowledged (the receiver's
 * count stands in for an ack stream). Checks each frame's sequence number.
 */
function file(totalBytes: number, frameBytes: number, windowBytes: number, timeoutMs: number) {
  const lr = rooms[0];
  if (!lr) throw new Error('file: no room set up');
  const [sender, receiver] = [lr.room.members[0]!, lr.room.members[1]!];
  const frames = Math.ceil(totalBytes / frameBytes);
  const windowFrames = Math.max(1, Math.floor(windowBytes / frameBytes));
  const payloads = Array.from({ length: 2 }, () => Buffer.alloc(frameBytes, 0x5a));
  let sent = 0;
  let received = 0;
  let receivedBytes = 0;
  let outOfOrder = 0;
  const t0 = performance.now();
  return new Promise<{ ms: number; bytes: number; outOfOrder: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      onFileChunk = null;
      reject(new Error(`file: ${received}/${frames} frames after ${timeoutMs} ms`));
    }, timeoutMs);
    const pump = () => {
      while (
        sent < frames &&
        sent - received < windowFrames &&
        sender.ws.bufferedAmount < FILE_SOCKET_LOW_WATER
      ) {
        // Alternate two buffers so each send builds a fresh frame with its sequence.
        const p = payloads[sent & 1]!;
        p.writeUInt32LE(sent, 0);
        sender.sendTo(receiver, p);
        sent++;
      }
    };
    onFileChunk = (data) => {
      const seq = data.readUInt32LE(data.length - frameBytes);
      if (seq !== received) outOfOrder++;
      received++;
      receivedBytes += frameBytes;
      if (received === frames) {
        clearTimeout(timer);
        onFileChunk = null;
        resolve({ ms: performance.now() - t0, bytes: receivedBytes, outOfOrder });
        return;
      }
      pump();
    };
    pump();
  });
}

/** Opens `count` more idle authenticated Parley sockets (R4). */
async function hold(spec: ServerSpec, tag: string, count: number) {
  const start = held.length;
  const sockets = await inBatches(count, HOLD_CONCURRENCY, (i) =>
    parleyRegister(spec, `${tag}h${start + i}`),
  );
  for (const s of sockets) held.push(s.ws);
  return { held: held.length };
}

/**
 * Signalling round trips between member 0 and member 1 of each room: a
 * `signal` to the peer device, answered by a `signal` back.
 */
async function probe(rounds: number, dataChars: number, timeoutMs: number) {
  const data = 'x'.repeat(dataChars);
  const samples: number[] = [];
  const deadline = Date.now() + timeoutMs;
  for (let r = 0; r < rounds && Date.now() < deadline; r++) {
    await Promise.all(
      rooms.map(
        (lr) =>
          new Promise<void>((resolve, reject) => {
            const [a, b] = [lr.room.members[0]!, lr.room.members[1]!];
            const t0 = performance.now();
            const timer = setTimeout(() => reject(new Error('probe: no reply')), timeoutMs);
            onSignal.set(lr, (member, raw) => {
              const text = raw.toString();
              if (!text.includes('"signal"')) return;
              if (member === 1) {
                b.ws.send(JSON.stringify({ t: 'signal', to: a.deviceId, data }));
              } else if (member === 0) {
                clearTimeout(timer);
                samples.push(performance.now() - t0);
                resolve();
              }
            });
            a.ws.send(JSON.stringify({ t: 'signal', to: b.deviceId, data }));
          }),
      ),
    );
  }
  onSignal.clear();
  return { rttMs: samples };
}

async function closeAll() {
  blasting = false;
  for (const lr of rooms) for (const m of lr.room.members) m.ws.terminate();
  for (const ws of held) ws.terminate();
  rooms.length = 0;
  held.length = 0;
  return {};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function handle(cmd: WorkerCommand): Promise<unknown> {
  switch (cmd.op) {
    case 'setup':
      return setup(cmd.server, cmd.tag, cmd.rooms, cmd.roomSize);
    case 'blast':
      await startBlast(cmd.window, cmd.payloadBytes, 10_000);
      return {};
    case 'count':
      return totals();
    case 'stopBlast':
      return stopBlast(cmd.drainMs);
    case 'paced':
      return paced(cmd.ratePerSec, cmd.durationMs, cmd.warmupMs, cmd.payloadBytes);
    case 'file':
      return file(cmd.totalBytes, cmd.frameBytes, cmd.windowBytes, cmd.timeoutMs);
    case 'hold':
      return hold(cmd.server, cmd.tag, cmd.count);
    case 'probe':
      return probe(cmd.rounds, cmd.dataChars, cmd.timeoutMs);
    case 'close':
      return closeAll();
  }
}

await loadSodium();
process.on('disconnect', () => process.exit(0));
process.on('message', (msg: { id: number; cmd: WorkerCommand }) => {
  handle(msg.cmd).then(
    (result) => process.send?.({ id: msg.id, ok: true, result }),
    (err: unknown) =>
      process.send?.({
        id: msg.id,
        ok: false,
        error: err instanceof Error ? err.stack : String(err),
      }),
  );
});
process.send?.({ id: 0, ok: true, result: 'ready' });
