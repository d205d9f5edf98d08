/**
 * Shared parts of the account tests: a real relay (raised blob rate limits,
 * since these tests sign in wrongly on purpose), engine RelayClients over
 * real `ws` sockets, one fresh IndexedDB key database per use
 * (fake-indexeddb), cheap Argon2id for tests that are not about its
 * parameters, and a socket that lets a test play a lying relay by rewriting
 * what the real relay sends.
 */
import 'fake-indexeddb/auto';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import type { PasswordKdfBounds, PasswordKdfParams } from '../../../shared/crypto/password.ts';
import type { RelayMessage } from '../../../shared/protocol/relay-messages.ts';
import type { AccountKdfOptions } from '../../../web/core/account/index.ts';
import { indexedDbKeyStore, type KeyStore } from '../../../web/core/account/index.ts';
import {
  RelayClient,
  type WebSocketFactory,
  type WebSocketLike,
} from '../../../web/core/relay-client.ts';
import { nodeSocket } from '../../support/node-socket.ts';
import { startTestRelay, type TestRelay } from '../relay/harness.ts';

export { uniqueUsername } from '../relay/harness.ts';

/** The relay schema's floor (ops 2, 16 MiB): ~30 ms instead of ~300 ms per derivation. */
export const TEST_KDF_PARAMS: PasswordKdfParams = {
  algorithm: 2,
  opsLimit: 2,
  memLimitBytes: 16 * 1024 * 1024,
};

const TEST_KDF_BOUNDS: PasswordKdfBounds = {
  minOpsLimit: 2,
  maxOpsLimit: 16,
  minMemLimitBytes: 16 * 1024 * 1024,
  maxMemLimitBytes: 512 * 1024 * 1024,
};

/** Test-only: cheap parameters and the bounds that admit them. */
export const CHEAP_KDF: AccountKdfOptions = { params: TEST_KDF_PARAMS, bounds: TEST_KDF_BOUNDS };

export interface Cleanup {
  add(fn: () => unknown): void;
  run(): Promise<void>;
}

export function cleanupList(): Cleanup {
  const fns: Array<() => unknown> = [];
  return {
    add: (fn) => fns.push(fn),
    async run() {
      for (const fn of fns.splice(0).reverse()) await fn();
    },
  };
}

export async function accountRelay(cleanup: Cleanup): Promise<TestRelay> {
  const relay = await startTestRelay({ blobAttemptsPerAccount: 1_000, blobAttemptsPerIp: 1_000 });
  cleanup.add(() => relay.destroy());
  return relay;
}

export function relayClient(
  relay: TestRelay,
  cleanup: Cleanup,
  createSocket: WebSocketFactory = nodeSocket,
): RelayClient {
  const client = new RelayClient({
    url: relay.wsUrl,
    createSocket,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  cleanup.add(() => client.close());
  return client;
}

let storeCounter = 0;

/** A key store in a database of its own (deleted at cleanup). */
export function freshKeyStore(cleanup: Cleanup): KeyStore {
  storeCounter += 1;
  const store = indexedDbKeyStore(`parley-keys-test-${process.pid}-${storeCounter}`);
  cleanup.add(() => store.destroy());
  return store;
}

export async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '');
}

export type JsonMessage = Record<string, unknown> & { t: string };

export interface TamperingSocket {
  factory: WebSocketFactory;
  /** Every JSON message the client sent, in order. */
  sent: JsonMessage[];
  /** Every JSON message the relay sent, before rewriting. */
  received: RelayMessage[];
}

/**
 * A lying relay in front of the real one: each text frame the relay sends
 * goes through `rewrite` before the engine sees it, over a real `ws` socket.
 */
export function tamperingSocket(
  rewrite: (msg: JsonMessage) => JsonMessage = (msg) => msg,
): TamperingSocket {
  const sent: JsonMessage[] = [];
  const received: RelayMessage[] = [];
  const factory: WebSocketFactory = (url) => {
    const inner = nodeSocket(url);
    const outer: WebSocketLike = {
      get binaryType() {
        return inner.binaryType;
      },
      set binaryType(value: string) {
        inner.binaryType = value;
      },
      get readyState() {
        return inner.readyState;
      },
      onopen: null,
      onclose: null,
      onerror: null,
      onmessage: null,
      send(data) {
        if (typeof data === 'string') sent.push(JSON.parse(data) as JsonMessage);
        inner.send(data);
      },
      close: (code, reason) => inner.close(code, reason),
    };
    inner.onopen = (ev) => outer.onopen?.(ev);
    inner.onclose = (ev) => outer.onclose?.(ev);
    inner.onerror = (ev) => outer.onerror?.(ev);
    inner.onmessage = (ev) => {
      let data = ev.data;
      if (typeof data === 'string') {
        const msg = JSON.parse(data) as JsonMessage;
        received.push(msg as unknown as RelayMessage);
        data = JSON.stringify(rewrite(msg));
      }
      outer.onmessage?.({ data });
    };
    return outer;
  };
  return { factory, sent, received };
}

/** Every byte array (and the base64url of it) reachable in a stored value. */
export function storedBytes(value: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (value instanceof Uint8Array) out.push(value);
  else if (typeof value === 'string') out.push(new TextEncoder().encode(value));
  else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) storedBytes(v, out);
  }
  return out;
}

export { containsBytes } from '../../support/bytes.ts';
export { toB64 };

/** The code of the AccountError a promise rejects with, or 'NO_ERROR'. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  return (error as { code?: string } | null)?.code ?? 'NO_ERROR';
}
