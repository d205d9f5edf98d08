/**
 * Requests to the relay matched to their replies: each carries a fresh
 * `ref` the relay echoes, waits at most `timeoutMs`, and fails with a
 * RelayError carrying the relay's stable code when the reply is an error
 * or the socket it went out on is gone.
 */
import type { RelayMessage } from '../../shared/protocol/relay-messages.ts';
import { RelayError } from './relay-errors.ts';
import type { WebSocketLike } from './relay-socket.ts';
import type { ClientRequest } from './relay-types.ts';

type Pending = {
  resolve: (msg: RelayMessage) => void;
  reject: (err: RelayError) => void;
  timer: ReturnType<typeof setTimeout>;
};

export class RelayRequests {
  readonly #pending = new Map<string, Pending>();
  #nextRef = 1;
  readonly #timeoutMs: number;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /** Sends `msg` on the (open) socket; resolves with the reply to its ref. */
  send(socket: WebSocketLike, msg: ClientRequest): Promise<RelayMessage> {
    const ref = `r${this.#nextRef++}`;
    return new Promise<RelayMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(ref);
        reject(new RelayError('REQUEST_TIMEOUT', msg.t));
      }, this.#timeoutMs);
      this.#pending.set(ref, { resolve, reject, timer });
      socket.send(JSON.stringify({ ...msg, ref }));
    });
  }

  /** Settles the request `msg` answers; false when none is waiting for it. */
  settle(msg: RelayMessage): boolean {
    const ref = 'ref' in msg ? msg.ref : undefined;
    const pending = ref ? this.#pending.get(ref) : undefined;
    if (!pending || !ref) return false;
    this.#pending.delete(ref);
    clearTimeout(pending.timer);
    if (msg.t === 'error') pending.reject(new RelayError(msg.code, msg.message));
    else pending.resolve(msg);
    return true;
  }

  /** Every request still waiting fails with `code` (the socket is gone). */
  failAll(code: 'DISCONNECTED' | 'CLOSED'): void {
    for (const [ref, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new RelayError(code));
      this.#pending.delete(ref);
    }
  }
}
