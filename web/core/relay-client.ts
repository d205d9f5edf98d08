/**
 * The engine's connection to its relay: one WebSocket, JSON control frames
 * validated against the shared protocol schemas, binary envelopes, requests
 * matched to replies by `ref`, and a login that proves the device key by
 * signing a fresh challenge (CRYPTO.md "Relay login") — on every (re)connect,
 * since there is no bearer token to resume with. After a drop it reconnects
 * with jittered exponential backoff and logs in again by itself; listeners
 * re-join and collect the mailbox on each `authed`.
 */

import { toB64 } from '../../shared/crypto/encoding.ts';
import {
  certToWire,
  type DeviceCert,
  prekeyToWire,
  type SignedPrekey,
  type SigningKeyPair,
} from '../../shared/crypto/keys.ts';
import {
  type Challenge,
  challengeFromWire,
  challengeToWire,
  signRelayChallenge,
} from '../../shared/crypto/relay-auth.ts';
import type { ClientMessage } from '../../shared/protocol/client-messages.ts';
import { type ReceivedEnvelope, readRelayEnvelope } from '../../shared/protocol/envelope.ts';
import { parseRelayMessage } from '../../shared/protocol/parse.ts';
import type { RelayMessage, RelayMessageOf } from '../../shared/protocol/relay-messages.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { RelayError } from './relay-errors.ts';
import {
  FINAL_CLOSE_CODES,
  relayOriginOf,
  SOCKET_OPEN,
  type WebSocketFactory,
  type WebSocketLike,
} from './relay-socket.ts';

export { relayOriginOf, type WebSocketFactory, type WebSocketLike };

export const RELAY_CLIENT_DEFAULTS = {
  requestTimeoutMs: 15_000,
} as const;

export type RelayState = 'connecting' | 'authenticating' | 'online' | 'offline' | 'closed';

/** What the device proves on every login. */
export interface LoginCredentials {
  device: SigningKeyPair;
  cert: DeviceCert;
}

/** Registration also publishes the device's signed prekey. */
export interface DeviceCredentials extends LoginCredentials {
  spk: SignedPrekey;
}

export type Authed = RelayMessageOf<'authed'>;

/** Relay-pushed messages (those with no request waiting for them). */
export type RelayPush = Exclude<RelayMessage, { t: 'authed' }>;

export type RelayClientEvents = {
  state: [state: RelayState];
  /** Logged in (first time and after every reconnect). */
  authed: [info: Authed];
  push: [msg: RelayPush];
  envelope: [envelope: ReceivedEnvelope];
  /** Something went wrong that no request is waiting to hear about. */
  error: [error: RelayError];
};

export interface RelayClientOptions {
  /** ws:// or wss:// URL of the relay's /ws endpoint. */
  url: string;
  /** Defaults to the global WebSocket (browsers). Node passes `ws`. */
  createSocket?: WebSocketFactory;
  requestTimeoutMs?: number;
  /** Reconnect delays; BACKOFF_DEFAULTS (0.5 s → 10 s, jittered) otherwise. */
  backoff?: BackoffOptions;
}

type Pending = {
  resolve: (msg: RelayMessage) => void;
  reject: (err: RelayError) => void;
  timer: ReturnType<typeof setTimeout>;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ClientRequest = DistributiveOmit<ClientMessage, 'ref'>;

export class RelayClient {
  readonly events = new Emitter<RelayClientEvents>();
  readonly origin: string;
  #state: RelayState = 'offline';
  #socket: WebSocketLike | null = null;
  #pending = new Map<string, Pending>();
  #nextRef = 1;
  #helloChallenge: Challenge | null = null;
  /** Hello answered on the current socket (its challenge may since have been used). */
  #helloDone = false;
  #credentials: LoginCredentials | null = null;
  #authed: Authed | null = null;
  #closed = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #helloWaiters: Array<{ resolve: () => void; reject: (e: RelayError) => void }> = [];
  readonly #backoff: Backoff;
  readonly #url: string;
  readonly #createSocket: WebSocketFactory;
  readonly #requestTimeoutMs: number;

  constructor(opts: RelayClientOptions) {
    this.origin = relayOriginOf(opts.url);
    const createSocket =
      opts.createSocket ??
      ((url: string) =>
        new (globalThis as unknown as { WebSocket: new (u: string) => WebSocketLike }).WebSocket(
          url,
        ));
    this.#url = opts.url;
    this.#createSocket = createSocket;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? RELAY_CLIENT_DEFAULTS.requestTimeoutMs;
    this.#backoff = new Backoff(opts.backoff);
  }

  get state(): RelayState {
    return this.#state;
  }

  /** Who this socket proved to be, while online. */
  get session(): Authed | null {
    return this.#state === 'online' ? this.#authed : null;
  }

  /** Opens the socket and completes hello; pre-auth requests work after this. */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new RelayError('CLOSED'));
    if (this.#helloDone && this.#socket?.readyState === SOCKET_OPEN) return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) =>
      this.#helloWaiters.push({ resolve, reject }),
    );
    if (!this.#socket) this.#open();
    return ready;
  }

  /** Logs in an existing device; on later reconnects this repeats by itself. */
  async login(credentials: LoginCredentials): Promise<Authed> {
    await this.connect();
    const authed = await this.#authenticate('login', credentials);
    this.#credentials = credentials;
    return authed;
  }

  /** Registers a new user with its first device; afterwards reconnects log in. */
  async register(username: string, credentials: DeviceCredentials): Promise<Authed> {
    await this.connect();
    const authed = await this.#authenticate('register', credentials, username);
    this.#credentials = credentials;
    return authed;
  }

  /** Registers another device of an existing identity (certified by its IK). */
  async addDevice(credentials: DeviceCredentials): Promise<Authed> {
    await this.connect();
    const authed = await this.#authenticate('device.add', credentials);
    this.#credentials = credentials;
    return authed;
  }

  /** A fresh single-use challenge (e.g. to sign with a password auth key). */
  async freshChallenge(): Promise<Challenge> {
    if (this.#helloChallenge) {
      const c = this.#helloChallenge;
      this.#helloChallenge = null;
      return c;
    }
    const reply = await this.request({ t: 'challenge.new' });
    if (reply.t !== 'challenge')
      throw new RelayError('RELAY_PROTOCOL', `expected challenge, got ${reply.t}`);
    return challengeFromWire(reply.challenge);
  }

  /**
   * Sends a request and resolves with the relay's reply to it, or rejects
   * with a RelayError carrying the relay's stable code.
   */
  request(msg: ClientRequest): Promise<RelayMessage> {
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) {
      return Promise.reject(new RelayError('NOT_CONNECTED'));
    }
    const ref = `r${this.#nextRef++}`;
    return new Promise<RelayMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(new RelayError('REQUEST_TIMEOUT', msg.t));
      }, this.#requestTimeoutMs);
      this.#pending.set(ref, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...msg, ref }));
    });
  }

  /** Typed convenience: the reply of the given type, or a RelayError. */
  async call<R extends RelayMessage['t']>(
    msg: ClientRequest,
    expect: R,
  ): Promise<Extract<RelayMessage, { t: R }>> {
    const reply = await this.request(msg);
    if (reply.t !== expect) {
      throw new RelayError('RELAY_PROTOCOL', `expected ${expect}, got ${reply.t}`);
    }
    return reply as Extract<RelayMessage, { t: R }>;
  }

  /** Sends a fire-and-forget control message (no reply expected). */
  notify(msg: ClientRequest): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) return false;
    socket.send(JSON.stringify(msg));
    return true;
  }

  /** Sends an encoded binary envelope. False when not connected. */
  sendBinary(frame: Uint8Array): boolean {
    const socket = this.#socket;
    if (!socket || socket.readyState !== SOCKET_OPEN || this.#state !== 'online') return false;
    socket.send(frame);
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#failPending('CLOSED');
    this.#socket?.close(1000, 'client closed');
    this.#socket = null;
    this.#setState('closed');
  }

  async #authenticate(
    kind: 'login' | 'register' | 'device.add',
    creds: LoginCredentials & { spk?: SignedPrekey },
    username?: string,
  ): Promise<Authed> {
    this.#setState('authenticating');
    const challenge = await this.freshChallenge();
    const sig = signRelayChallenge(this.origin, challenge, creds.device);
    const common = {
      cert: certToWire(creds.cert),
      challenge: challengeToWire(challenge),
      sig: toB64(sig),
    };
    let msg: ClientRequest;
    if (kind === 'login') msg = { t: 'login', ...common };
    else {
      if (!creds.spk)
        throw new RangeError('parley/relay: registering a device needs its signed prekey');
      const spk = prekeyToWire(creds.spk);
      msg =
        kind === 'register'
          ? { t: 'register', username: username ?? '', spk, ...common }
          : { t: 'device.add', spk, ...common };
    }
    let reply: RelayMessage;
    try {
      reply = await this.request(msg);
    } catch (error) {
      this.#setState(this.#socket?.readyState === SOCKET_OPEN ? 'connecting' : 'offline');
      throw error;
    }
    if (reply.t !== 'authed')
      throw new RelayError('RELAY_PROTOCOL', `expected authed, got ${reply.t}`);
    this.#authed = reply;
    this.#backoff.reset();
    this.#setState('online');
    this.events.emit('authed', reply);
    return reply;
  }

  #open(): void {
    this.#setState('connecting');
    let socket: WebSocketLike;
    try {
      socket = this.#createSocket(this.#url);
    } catch (error) {
      this.#onDrop(new RelayError('DISCONNECTED', 'could not open socket', { cause: error }));
      return;
    }
    this.#socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      socket.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION }));
    };
    socket.onmessage = (ev) => this.#onFrame(ev.data);
    socket.onerror = () => {
      // onclose follows with the code; nothing to do here.
    };
    socket.onclose = (ev) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#helloChallenge = null;
      this.#helloDone = false;
      const final = FINAL_CLOSE_CODES.get(ev.code);
      if (final) {
        // Reconnecting would not help (this device logged in elsewhere, or we
        // speak another protocol version): stop and say why, or two tabs of
        // one device would knock each other off forever.
        this.#failPending('DISCONNECTED');
        this.events.emit('error', new RelayError(final));
        this.#closed = true;
        this.#setState('closed');
        return;
      }
      this.#onDrop(new RelayError('DISCONNECTED', `closed ${ev.code}`));
    };
  }

  #onFrame(data: unknown): void {
    if (typeof data === 'string') {
      const parsed = parseRelayMessage(data);
      if (!parsed.ok) {
        // A relay that speaks garbage is reported, never trusted.
        this.events.emit('error', new RelayError('RELAY_PROTOCOL', parsed.message));
        return;
      }
      this.#onMessage(parsed.msg);
      return;
    }
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : null;
    if (!bytes) return;
    const envelope = readRelayEnvelope(bytes);
    if (!envelope) {
      this.events.emit('error', new RelayError('RELAY_PROTOCOL', 'bad envelope'));
      return;
    }
    this.events.emit('envelope', envelope);
  }

  #onMessage(msg: RelayMessage): void {
    if (msg.t === 'hello') {
      this.#helloChallenge = challengeFromWire(msg.challenge);
      this.#helloDone = true;
      const waiters = this.#helloWaiters.splice(0);
      for (const w of waiters) w.resolve();
      // A reconnect with known credentials logs straight back in.
      if (this.#credentials && this.#authed) {
        const creds = this.#credentials;
        this.#authenticate('login', creds).catch((error: unknown) => {
          this.events.emit(
            'error',
            error instanceof RelayError ? error : new RelayError('DISCONNECTED'),
          );
        });
      } else {
        this.#setState('offline');
      }
      return;
    }
    const ref = 'ref' in msg ? msg.ref : undefined;
    const pending = ref ? this.#pending.get(ref) : undefined;
    if (pending && ref) {
      this.#pending.delete(ref);
      clearTimeout(pending.timer);
      if (msg.t === 'error') pending.reject(new RelayError(msg.code, msg.message));
      else pending.resolve(msg);
      return;
    }
    if (msg.t === 'authed') return;
    if (msg.t === 'error') {
      this.events.emit('error', new RelayError(msg.code, msg.message));
      return;
    }
    this.events.emit('push', msg);
  }

  #onDrop(error: RelayError): void {
    this.#failPending('DISCONNECTED');
    for (const w of this.#helloWaiters.splice(0)) w.reject(error);
    if (this.#closed) return;
    this.#setState('offline');
    const delay = this.#backoff.next();
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#closed && !this.#socket) this.#open();
    }, delay);
  }

  #failPending(code: 'DISCONNECTED' | 'CLOSED'): void {
    for (const [ref, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new RelayError(code));
      this.#pending.delete(ref);
    }
  }

  #setState(state: RelayState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
  }
}
