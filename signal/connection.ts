/**
 * One WebSocket: who it proved to be, its limits, and how to write to it.
 * Kept small because a relay holds tens of thousands of idle ones (TARGETS R3).
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type ErrorCode } from '../shared/protocol/errors.ts';
import type { RelayMessage } from '../shared/protocol/relay-messages.ts';
import { TokenBucket, ViolationCounter } from './limits.ts';

export type ConnState = 'new' | 'hello' | 'authed' | 'closed';

export interface AuthedIdentity {
  userId: string;
  username: string;
  deviceId: string;
}

/** Outgoing envelope headers by room id ('' = direct), valid for one identity. */
export interface EnvelopeHeaderCache {
  identity: AuthedIdentity;
  byTarget: Map<string, Uint8Array>;
}

/** A frame waiting while an async handler (auth) runs, so order is kept. */
export interface QueuedFrame {
  data: Buffer;
  isBinary: boolean;
}

export interface ConnectionLimits {
  frameRatePerSec: number;
  frameBurst: number;
  maxViolationsPerMin: number;
  /** Above this a socket is not reading at all: terminate it. */
  hardBufferedBytes: number;
}

const BINARY = { binary: true } as const;

let nextConnId = 1;

/**
 * Write batching. `ws` hands each frame to the kernel in its own writev, so
 * a fan-out of one envelope to 10 sockets is 10 syscalls, and a socket
 * receiving 30 envelopes from one read of its room's sender gets 30 — the
 * syscalls were ~45 % of the relay's CPU under R1's load (bench/relay-fanout
 * --cpu-prof). The first write to a socket in a tick corks it; every socket
 * corked in the tick is uncorked together once the current I/O callback is
 * done (process.nextTick), so each gets one writev per tick whatever the
 * number of frames, and no frame waits past the end of the callback that
 * produced it.
 */
const corkedSockets: Socket[] = [];
let flushScheduled = false;

function uncorkAll(): void {
  flushScheduled = false;
  const sockets = corkedSockets.splice(0);
  for (const socket of sockets) socket.uncork();
}

export class Connection {
  readonly id = nextConnId++;
  readonly ws: WebSocket;
  readonly ip: string;
  /** What clients sign at login: --public-url, else http://<Host header>. */
  readonly origin: string;
  state: ConnState = 'new';
  identity: AuthedIdentity | null = null;
  /** The nonce of the last challenge issued to this socket (base64url). */
  challengeNonce: string | null = null;
  alive = true;
  authTimer: ReturnType<typeof setTimeout> | null = null;
  /** Non-null while an async handler runs; frames wait here in order. */
  queue: QueuedFrame[] | null = null;
  /** Reachability cache (userId → allowed), valid for one membership epoch. */
  reach: Map<string, boolean> | null = null;
  reachEpoch = -1;
  lastRateNoticeMs = 0;
  /**
   * The headers this socket's envelopes go out under (envelopes.ts), built on
   * first send; null until then, so an idle socket pays one field.
   */
  envelopeHeaders: EnvelopeHeaderCache | null = null;
  readonly bucket: TokenBucket;
  readonly violations: ViolationCounter;
  readonly #hardBufferedBytes: number;
  /** The TCP socket under `ws`, corked while a tick's writes collect (see uncorkAll). */
  readonly #socket: Socket;

  constructor(
    ws: WebSocket,
    socket: Socket,
    ip: string,
    origin: string,
    limits: ConnectionLimits,
    nowMs: number,
  ) {
    this.ws = ws;
    this.#socket = socket;
    this.ip = ip;
    this.origin = origin;
    this.bucket = new TokenBucket(limits.frameRatePerSec, limits.frameBurst, nowMs);
    this.violations = new ViolationCounter(limits.maxViolationsPerMin, nowMs);
    this.#hardBufferedBytes = limits.hardBufferedBytes;
  }

  get userId(): string | null {
    return this.identity?.userId ?? null;
  }

  get deviceId(): string | null {
    return this.identity?.deviceId ?? null;
  }

  get isOpen(): boolean {
    return this.state !== 'closed' && this.ws.readyState === 1;
  }

  /** Bytes queued for this socket and not yet written to the kernel. */
  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Every write goes through here. A socket whose buffer passed the hard
   * bound is not reading at all (its own replies piled up): terminate it
   * rather than hold its backlog in relay memory.
   */
  #guard(): boolean {
    if (!this.isOpen) return false;
    if (this.ws.bufferedAmount > this.#hardBufferedBytes) {
      this.terminate();
      return false;
    }
    this.#cork();
    return true;
  }

  #cork(): void {
    // writableCorked > 0: already corked this tick (ws's own cork/uncork pairs
    // inside a send are balanced and never leave it above zero).
    if (this.#socket.writableCorked > 0) return;
    this.#socket.cork();
    corkedSockets.push(this.#socket);
    if (!flushScheduled) {
      flushScheduled = true;
      process.nextTick(uncorkAll);
    }
  }

  sendText(text: string): boolean {
    if (!this.#guard()) return false;
    this.ws.send(text);
    return true;
  }

  send(msg: RelayMessage): boolean {
    return this.sendText(JSON.stringify(msg));
  }

  sendBinary(bytes: Uint8Array): boolean {
    if (!this.#guard()) return false;
    this.ws.send(bytes, BINARY);
    return true;
  }

  sendError(code: ErrorCode, message: string, ref?: string): void {
    this.send(
      ref === undefined ? { t: 'error', code, message } : { t: 'error', code, message, ref },
    );
  }

  /** Error frame, then close: the client learns why before the socket goes. */
  closeWith(
    code: ErrorCode,
    message: string,
    closeCode: number = CLOSE_CODES.policyViolation,
    ref?: string,
  ): void {
    if (!this.isOpen) return;
    this.sendError(code, message, ref);
    this.ws.close(closeCode, code);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
