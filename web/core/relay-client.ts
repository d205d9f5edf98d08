/**
 * The engine's connection to its relay: one WebSocket, JSON control frames
 * validated against the shared protocol schemas, binary envelopes, requests
 * matched to replies by `ref`, and a login that proves the device key by
 * signing a fresh challenge (CRYPTO.md "Relay login") — on every (re)connect,
 * since there is no bearer token to resume with. After a drop it reconnects
 * with jittered exponential backoff and logs in again by itself; listeners
 * re-join and collect the mailbox on each `authed`.
 *
 * This file is the client's surface and reads what arrives; the socket's
 * life and reconnecting are relay-connection.ts, the challenge login
 * relay-login.ts, the matching of replies relay-requests.ts.
 */

import { type Challenge, challengeFromWire } from '../../shared/crypto/relay-auth.ts';
import { readRelayEnvelope } from '../../shared/protocol/envelope.ts';
import { parseRelayMessage } from '../../shared/protocol/parse.ts';
import type { RelayMessage } from '../../shared/protocol/relay-messages.ts';
import { Emitter } from './emitter.ts';
import { RelayConnection } from './relay-connection.ts';
import { RelayError } from './relay-errors.ts';
import { RelayLogin } from './relay-login.ts';
import { RelayRequests } from './relay-requests.ts';
import { relayOriginOf, type WebSocketFactory, type WebSocketLike } from './relay-socket.ts';
import type {
  Authed,
  ClientRequest,
  DeviceCredentials,
  LoginCredentials,
  RelayClientEvents,
  RelayClientOptions,
  RelayState,
} from './relay-types.ts';

export type {
  Authed,
  ClientRequest,
  DeviceCredentials,
  LoginCredentials,
  RelayClientEvents,
  RelayClientOptions,
  RelayPush,
  RelayState,
} from './relay-types.ts';
export { relayOriginOf, type WebSocketFactory, type WebSocketLike };

export const RELAY_CLIENT_DEFAULTS = {
  requestTimeoutMs: 15_000,
} as const;

export class RelayClient {
  readonly events = new Emitter<RelayClientEvents>();
  readonly origin: string;
  #state: RelayState = 'offline';
  readonly #requests: RelayRequests;
  readonly #connection: RelayConnection;
  readonly #login: RelayLogin;

  constructor(opts: RelayClientOptions) {
    this.origin = relayOriginOf(opts.url);
    this.#requests = new RelayRequests(
      opts.requestTimeoutMs ?? RELAY_CLIENT_DEFAULTS.requestTimeoutMs,
    );
    this.#connection = new RelayConnection(
      {
        setState: (state) => this.#setState(state),
        frame: (data) => this.#onFrame(data),
        socketClosed: () => this.#login.forgetChallenge(),
        failRequests: (code) => this.#requests.failAll(code),
        error: (error) => this.events.emit('error', error),
      },
      opts,
    );
    this.#login = new RelayLogin({
      origin: this.origin,
      request: (msg) => this.request(msg),
      setState: (state) => this.#setState(state),
      socketOpen: () => !!this.#connection.openSocket,
      authed: (info) => {
        this.#connection.loggedIn();
        this.#setState('online');
        this.events.emit('authed', info);
      },
      error: (error) => this.events.emit('error', error),
    });
  }

  get state(): RelayState {
    return this.#state;
  }

  /** Who this socket proved to be, while online. */
  get session(): Authed | null {
    return this.#state === 'online' ? this.#login.authed : null;
  }

  /** Opens the socket and completes hello; pre-auth requests work after this. */
  connect(): Promise<void> {
    return this.#connection.connect();
  }

  /** Logs in an existing device; on later reconnects this repeats by itself. */
  async login(credentials: LoginCredentials): Promise<Authed> {
    await this.connect();
    const authed = await this.#login.authenticate('login', credentials);
    this.#login.remember(credentials);
    return authed;
  }

  /** Registers a new user with its first device; afterwards reconnects log in. */
  async register(username: string, credentials: DeviceCredentials): Promise<Authed> {
    await this.connect();
    const authed = await this.#login.authenticate('register', credentials, username);
    this.#login.remember(credentials);
    return authed;
  }

  /** Registers another device of an existing identity (certified by its IK). */
  async addDevice(credentials: DeviceCredentials): Promise<Authed> {
    await this.connect();
    const authed = await this.#login.authenticate('device.add', credentials);
    this.#login.remember(credentials);
    return authed;
  }

  /** A fresh single-use challenge (e.g. to sign with a password auth key). */
  freshChallenge(): Promise<Challenge> {
    return this.#login.freshChallenge();
  }

  /**
   * Sends a request and resolves with the relay's reply to it, or rejects
   * with a RelayError carrying the relay's stable code.
   */
  request(msg: ClientRequest): Promise<RelayMessage> {
    const socket = this.#connection.openSocket;
    if (!socket) return Promise.reject(new RelayError('NOT_CONNECTED'));
    return this.#requests.send(socket, msg);
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
    const socket = this.#connection.openSocket;
    if (!socket) return false;
    socket.send(JSON.stringify(msg));
    return true;
  }

  /** Sends an encoded binary envelope. False when not connected. */
  sendBinary(frame: Uint8Array): boolean {
    const socket = this.#connection.openSocket;
    if (!socket || this.#state !== 'online') return false;
    socket.send(frame);
    return true;
  }

  close(): void {
    this.#connection.close();
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
      this.#login.hello(challengeFromWire(msg.challenge));
      this.#connection.helloAnswered();
      this.#login.resume();
      return;
    }
    if (this.#requests.settle(msg)) return;
    if (msg.t === 'authed') return;
    if (msg.t === 'error') {
      this.events.emit('error', new RelayError(msg.code, msg.message));
      return;
    }
    this.events.emit('push', msg);
  }

  #setState(state: RelayState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.events.emit('state', state);
  }
}
