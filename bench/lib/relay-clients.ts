/**
 * Room clients for each relay a relay benchmark compares, behind one shape:
 * a room of sockets where any member can send one room message and every
 * member reports what it receives. Runs inside the load workers
 * (relay-load-worker.ts), never in the process of the relay under test.
 *
 * How a "room message" maps onto each server:
 * - parley: a binary `toRoom` envelope; the relay checks membership and
 *   fans out one frame with its own header (auth, validation, routing on);
 * - bare: a binary frame to the bare relay's room (no checks at all);
 * - ywebrtc: a JSON `publish` to the room's topic; the server parses it and
 *   re-serialises it once per subscriber — the sender included, so the
 *   sender's echo is not counted as a delivery (`echoesToSender`);
 * - peerjs: peerjs-server has no rooms, only one-to-one forwarding, so a
 *   room message is one JSON frame per other member (what a PeerJS mesh
 *   does to reach everyone).
 */
import { WebSocket } from 'ws';
import { toB64 } from '../../shared/crypto/encoding.ts';
import {
  certToWire,
  identityFromSeed,
  makeDeviceCert,
  makeSignedPrekey,
  newDeviceKey,
  newIdentitySeed,
  prekeyToWire,
} from '../../shared/crypto/keys.ts';
import { challengeFromWire, signRelayChallenge } from '../../shared/crypto/relay-auth.ts';
import { EnvelopeKind, encodeEnvelopeHeader } from '../../shared/protocol/envelope.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import type { ServerKind } from '../peers/servers.ts';

export interface ServerSpec {
  kind: ServerKind;
  wsUrl: string;
  origin: string;
}

/** What a member socket received: binary frames and text frames. */
export type OnMessage = (member: number, data: Buffer, isBinary: boolean) => void;

export interface Member {
  readonly ws: WebSocket;
  /** Parley only: the device id the relay assigned. */
  readonly deviceId: string;
  /** Sends one room message carrying `payload` (peerjs: one frame per other member). */
  sendRoom(payload: Buffer): void;
  /** Sends `payload` to one other member (R5's file path). */
  sendTo(other: Member, payload: Buffer): void;
}

export interface Room {
  readonly members: Member[];
  /** Whether the server sends a member's own room messages back to it. */
  readonly echoesToSender: boolean;
  /** Parley: text frames are control messages (presence, errors), never deliveries. */
  readonly textIsControl: boolean;
  /** Envelope errors the relay reported, by code (parley). */
  readonly errors: Map<string, number>;
}

const CONNECT_TIMEOUT_MS = 15_000;
const REPLY_TIMEOUT_MS = 30_000;
const BINARY = { binary: true } as const;

type Json = Record<string, unknown>;

function openSocket(url: string): Promise<WebSocket> {
  return openSocketThen(url, null).then(([ws]) => ws);
}

/**
 * Opens a socket; with `first`, also waits for the first text frame it
 * matches. The listener goes on before the handshake ends: a server that
 * speaks first (peerjs sends OPEN at once) can have its frame parsed in the
 * same tick as 'open'.
 */
function openSocketThen(
  url: string,
  first: ((m: Json) => boolean) | null,
): Promise<[WebSocket, Json | null]> {
  const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT_MS });
  const firstMessage = first ? nextText(ws, first, `first message from ${url}`) : null;
  firstMessage?.catch(() => {});
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      ws.terminate();
      reject(err);
    };
    ws.once('open', () => {
      ws.off('error', fail);
      ws.on('error', () => {});
      if (!firstMessage) resolve([ws, null]);
      else firstMessage.then((m) => resolve([ws, m]), fail);
    });
    ws.once('error', fail);
  });
}

/** Resolves with the first text frame `match` accepts; rejects after a timeout. */
function nextText(ws: WebSocket, match: (m: Json) => boolean, what: string): Promise<Json> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms`));
    }, REPLY_TIMEOUT_MS);
    function onMessage(data: Buffer, isBinary: boolean) {
      if (isBinary) return;
      const msg = JSON.parse(data.toString()) as Json;
      if (!match(msg)) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(msg);
    }
    ws.on('message', onMessage);
  });
}

let refCounter = 0;

/** Sends a Parley request and waits for the reply with its ref; an error reply throws. */
async function request(ws: WebSocket, msg: Json, expect: string): Promise<Json> {
  const ref = `b${++refCounter}`;
  const reply = nextText(ws, (m) => m.ref === ref, `${expect} reply`);
  ws.send(JSON.stringify({ ...msg, ref }));
  const got = await reply;
  if (got.t !== expect) throw new Error(`expected ${expect}, got ${JSON.stringify(got)}`);
  return got;
}

export interface ParleySocket {
  ws: WebSocket;
  deviceId: string;
  userId: string;
}

/** Opens a socket, says hello and registers a fresh user with real keys. */
export async function parleyRegister(spec: ServerSpec, username: string): Promise<ParleySocket> {
  const ws = await openSocket(spec.wsUrl);
  try {
    const hello = await request(ws, { t: 'hello', v: PROTOCOL_VERSION }, 'hello');
    const challenge = hello.challenge as { nonce: string; ts: number };
    const ik = identityFromSeed(newIdentitySeed());
    const dk = newDeviceKey();
    const now = Date.now();
    const sig = signRelayChallenge(spec.origin, challengeFromWire(challenge), dk);
    const authed = await request(
      ws,
      {
        t: 'register',
        username,
        cert: certToWire(makeDeviceCert(ik, dk.publicKey, now)),
        spk: prekeyToWire(makeSignedPrekey(dk, 1, now)),
        challenge,
        sig: toB64(sig),
      },
      'authed',
    );
    return { ws, deviceId: String(authed.deviceId), userId: String(authed.userId) };
  } catch (err) {
    ws.terminate();
    throw err;
  }
}

/** A frame cache: the load loops send the same payload object again and again. */
function cached<T>(build: (payload: Buffer) => T): (payload: Buffer) => T {
  let last: Buffer | null = null;
  let frame: T | null = null;
  return (payload) => {
    if (payload !== last || frame === null) {
      last = payload;
      frame = build(payload);
    }
    return frame;
  };
}

function withHeader(header: Uint8Array, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(header.length + payload.length);
  out.set(header, 0);
  payload.copy(out, header.length);
  return out;
}

async function parleyRoom(
  spec: ServerSpec,
  tag: string,
  size: number,
  onMessage: OnMessage,
): Promise<Room> {
  const sockets = await Promise.all(
    Array.from({ length: size }, (_, i) => parleyRegister(spec, `${tag}_${i}`)),
  );
  const owner = sockets[0]!;
  const created = await request(
    owner.ws,
    { t: 'room.create', name: tag, visibility: 'public' },
    'room.created',
  );
  const roomId = String((created.room as Json).id);
  for (const s of sockets.slice(1)) {
    await request(s.ws, { t: 'room.join', roomId }, 'room.joined');
  }
  const errors = new Map<string, number>();
  const roomHeader = encodeEnvelopeHeader({ kind: EnvelopeKind.toRoom, flags: 0, ids: [roomId] });
  const members: Member[] = sockets.map((s, i) => {
    s.ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary && data.includes('"envelope.error"')) {
        const code = String((JSON.parse(data.toString()) as Json).code);
        errors.set(code, (errors.get(code) ?? 0) + 1);
      }
      onMessage(i, data, isBinary);
    });
    const roomFrame = cached((p) => withHeader(roomHeader, p));
    const deviceFrames = new Map<string, (p: Buffer) => Buffer>();
    return {
      ws: s.ws,
      deviceId: s.deviceId,
      sendRoom(payload) {
        s.ws.send(roomFrame(payload), BINARY);
      },
      sendTo(other, payload) {
        let frame = deviceFrames.get(other.deviceId);
        if (!frame) {
          const header = encodeEnvelopeHeader({
            kind: EnvelopeKind.toDevice,
            flags: 0,
            ids: [other.deviceId],
          });
          frame = cached((p) => withHeader(header, p));
          deviceFrames.set(other.deviceId, frame);
        }
        s.ws.send(frame(payload), BINARY);
      },
    };
  });
  return { members, echoesToSender: false, textIsControl: true, errors };
}

async function bareRoom(
  spec: ServerSpec,
  tag: string,
  size: number,
  onMessage: OnMessage,
): Promise<Room> {
  const sockets = await Promise.all(
    Array.from({ length: size }, () => openSocket(`${spec.wsUrl}/${tag}`)),
  );
  const members: Member[] = sockets.map((ws, i) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(i, data, isBinary));
    return {
      ws,
      deviceId: '',
      sendRoom: (payload) => ws.send(payload, BINARY),
      // A room of two: the room frame reaches exactly the other member.
      sendTo: (_other, payload) => ws.send(payload, BINARY),
    };
  });
  return { members, echoesToSender: false, textIsControl: false, errors: new Map() };
}

async function ywebrtcRoom(
  spec: ServerSpec,
  tag: string,
  size: number,
  onMessage: OnMessage,
): Promise<Room> {
  const sockets = await Promise.all(Array.from({ length: size }, () => openSocket(spec.wsUrl)));
  for (const ws of sockets) {
    ws.send(JSON.stringify({ type: 'subscribe', topics: [tag] }));
    // Frames are handled in order: the pong means the subscription is in.
    const pong = nextText(ws, (m) => m.type === 'pong', 'y-webrtc pong');
    ws.send(JSON.stringify({ type: 'ping' }));
    await pong;
  }
  const members: Member[] = sockets.map((ws, i) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(i, data, isBinary));
    const frame = cached((p) =>
      Buffer.from(JSON.stringify({ type: 'publish', topic: tag, data: p.toString('latin1') })),
    );
    return {
      ws,
      deviceId: '',
      sendRoom: (payload) => ws.send(frame(payload), { binary: false }),
      sendTo: () => {
        throw new Error('y-webrtc has no direct messages');
      },
    };
  });
  return { members, echoesToSender: true, textIsControl: false, errors: new Map() };
}

async function peerjsRoom(
  spec: ServerSpec,
  tag: string,
  size: number,
  onMessage: OnMessage,
): Promise<Room> {
  const ids = Array.from({ length: size }, (_, i) => `${tag}-${i}`);
  const sockets = await Promise.all(
    ids.map(async (id) => {
      const url = `${spec.wsUrl}?key=peerjs&id=${id}&token=t${id}`;
      const [ws] = await openSocketThen(url, (m) => m.type === 'OPEN');
      return ws;
    }),
  );
  const members: Member[] = sockets.map((ws, i) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => onMessage(i, data, isBinary));
    const others = ids.filter((_, j) => j !== i);
    const frames = cached((p) =>
      others.map((dst) =>
        Buffer.from(JSON.stringify({ type: 'CANDIDATE', dst, payload: p.toString('latin1') })),
      ),
    );
    return {
      ws,
      deviceId: ids[i]!,
      sendRoom(payload) {
        for (const f of frames(payload)) ws.send(f, { binary: false });
      },
      sendTo: (other, payload) =>
        ws.send(
          JSON.stringify({ type: 'CANDIDATE', dst: other.deviceId, payload: payload.toString() }),
        ),
    };
  });
  return { members, echoesToSender: false, textIsControl: false, errors: new Map() };
}

/**
 * A room of `size` sockets on `spec`'s server, named by `tag` (unique per run).
 * Parley members are registered users, the owner creates a public room and
 * the others join it.
 */
export function openRoom(
  spec: ServerSpec,
  tag: string,
  size: number,
  onMessage: OnMessage,
): Promise<Room> {
  switch (spec.kind) {
    case 'parley':
      return parleyRoom(spec, tag, size, onMessage);
    case 'bare':
    case 'bare-cork':
      return bareRoom(spec, tag, size, onMessage);
    case 'ywebrtc':
      return ywebrtcRoom(spec, tag, size, onMessage);
    case 'peerjs':
      return peerjsRoom(spec, tag, size, onMessage);
  }
}
