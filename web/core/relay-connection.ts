/**
 * The relay client's socket through its life: opened and greeted with
 * hello, and after a drop opened again with jittered exponential backoff —
 * unless the relay closed with a code after which reconnecting cannot help.
 * What arrives on it is the client's (relay-client.ts) to read.
 */
import { PROTOCOL_VERSION } from '../../shared/protocol/version.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { RelayError } from './relay-errors.ts';
import {
  FINAL_CLOSE_CODES,
  SOCKET_OPEN,
  type WebSocketFactory,
  type WebSocketLike,
} from './relay-socket.ts';
import type { RelayState } from './relay-types.ts';

/** What a connection tells its relay client. */
export interface RelayConnectionHost {
  setState(state: RelayState): void;
  /** A text or binary frame from the relay. */
  frame(data: unknown): void;
  /** The socket closed: its hello challenge is void. */
  socketClosed(): void;
  /** Requests waiting on the socket fail with this code. */
  failRequests(code: 'DISCONNECTED' | 'CLOSED'): void;
  /** Something went wrong that no request is waiting to hear about. */
  error(error: RelayError): void;
}

export interface RelayConnectionOptions {
  url: string;
  createSocket?: WebSocketFactory;
  backoff?: BackoffOptions;
}

export class RelayConnection {
  readonly #host: RelayConnectionHost;
  #socket: WebSocketLike | null = null;
  /** Hello answered on the current socket (its challenge may since have been used). */
  #helloDone = false;
  #closed = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #helloWaiters: Array<{ resolve: () => void; reject: (e: RelayError) => void }> = [];
  readonly #backoff: Backoff;
  readonly #url: string;
  readonly #createSocket: WebSocketFactory;

  constructor(host: RelayConnectionHost, opts: RelayConnectionOptions) {
    this.#host = host;
    this.#createSocket =
      opts.createSocket ??
      ((url: string) =>
        new (globalThis as unknown as { WebSocket: new (u: string) => WebSocketLike }).WebSocket(
          url,
        ));
    this.#url = opts.url;
    this.#backoff = new Backoff(opts.backoff);
  }

  /** The socket, while it is open. */
  get openSocket(): WebSocketLike | null {
    const socket = this.#socket;
    return socket && socket.readyState === SOCKET_OPEN ? socket : null;
  }

  /** Opens the socket if none is open or opening; resolves once hello is answered. */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new RelayError('CLOSED'));
    if (this.#helloDone && this.#socket?.readyState === SOCKET_OPEN) return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) =>
      this.#helloWaiters.push({ resolve, reject }),
    );
    if (!this.#socket) this.#open();
    return ready;
  }

  /** The relay answered hello on this socket. */
  helloAnswered(): void {
    this.#helloDone = true;
    const waiters = this.#helloWaiters.splice(0);
    for (const w of waiters) w.resolve();
  }

  /** A login succeeded: the next drop starts the backoff over. */
  loggedIn(): void {
    this.#backoff.reset();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#host.failRequests('CLOSED');
    // Whoever waits for hello (connect(), a login) hears it too, or would wait forever.
    for (const w of this.#helloWaiters.splice(0)) w.reject(new RelayError('CLOSED'));
    this.#socket?.close(1000, 'client closed');
    this.#socket = null;
    this.#host.setState('closed');
  }

  #open(): void {
    const host = this.#host;
    host.setState('connecting');
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
    socket.onmessage = (ev) => host.frame(ev.data);
    socket.onerror = () => {
      // onclose follows with the code; nothing to do here.
    };
    socket.onclose = (ev) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      host.socketClosed();
      this.#helloDone = false;
      const final = FINAL_CLOSE_CODES.get(ev.code);
      if (final) {
        // Reconnecting would not help (this device logged in elsewhere, or we
        // speak another protocol version): stop and say why, or two tabs of
        // one device would knock each other off forever.
        host.failRequests('DISCONNECTED');
        // A connect() or login() waiting for hello gets the reason too (a
        // version mismatch is answered right at hello) instead of waiting forever.
        for (const w of this.#helloWaiters.splice(0)) w.reject(new RelayError(final));
        host.error(new RelayError(final));
        this.#closed = true;
        host.setState('closed');
        return;
      }
      this.#onDrop(new RelayError('DISCONNECTED', `closed ${ev.code}`));
    };
  }

  #onDrop(error: RelayError): void {
    this.#host.failRequests('DISCONNECTED');
    for (const w of this.#helloWaiters.splice(0)) w.reject(error);
    if (this.#closed) return;
    this.#host.setState('offline');
    const delay = this.#backoff.next();
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      if (!this.#closed && !this.#socket) this.#open();
    }, delay);
  }
}
