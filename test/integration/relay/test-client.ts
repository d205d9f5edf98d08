/**
 * A small typed client over a real `ws` socket: every relay frame is
 * recorded, matched to waiters by ref or type, and checked against the
 * protocol schema, so a test also proves the relay speaks the protocol it
 * publishes. Used through harness.ts.
 */
import { WebSocket } from 'ws';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { certToWire, prekeyToWire, type SigningKeyPair } from '../../../shared/crypto/keys.ts';
import {
  challengeFromWire,
  challengeToWire,
  signRelayChallenge,
} from '../../../shared/crypto/relay-auth.ts';
import type { ClientMessage } from '../../../shared/protocol/client-messages.ts';
import { type ReceivedEnvelope, readRelayEnvelope } from '../../../shared/protocol/envelope.ts';
import type { ErrorCode } from '../../../shared/protocol/errors.ts';
import type { ChallengeWireT } from '../../../shared/protocol/fields.ts';
import { validateRelayMessage } from '../../../shared/protocol/parse.ts';
import type {
  RelayMessage,
  RelayMessageOf,
  RelayMessageType,
} from '../../../shared/protocol/relay-messages.ts';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.ts';
import type { Relay } from '../../../signal/server.ts';
import type { DeviceKeys } from './test-keys.ts';
import { WaitQueue } from './wait-queue.ts';

export const DEFAULT_TIMEOUT_MS = 5_000;

const everyClient = new Set<TestClient>();

/** Schema violations in relay frames seen by any client so far (should be none). */
export function relaySchemaErrors(): string[] {
  return [...everyClient].flatMap((c) => c.schemaErrors);
}

/** Which origin and challenge a login message signs (defaults: the relay's, the latest). */
export interface SignOptions {
  origin?: string;
  challenge?: ChallengeWireT;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface ClientOptions {
  /** Origin header on the upgrade (browsers always send one). */
  origin?: string;
  timeoutMs?: number;
}

/** A raw-ish client: every relay frame is recorded, matched, schema-checked. */
export class TestClient {
  readonly ws: WebSocket;
  readonly #messages = new WaitQueue<RelayMessage>('a relay message');
  readonly #envelopes = new WaitQueue<ReceivedEnvelope>('a binary envelope');
  /** Relay messages received and not yet taken. */
  readonly inbox = this.#messages.items;
  /** Binary envelopes received and not yet taken. */
  readonly binaryInbox = this.#envelopes.items;
  /** Relay frames that did not match the protocol schema (should stay empty). */
  readonly schemaErrors: string[] = [];
  readonly closed: Promise<Closed>;
  challenge: ChallengeWireT | null = null;
  userId: string | null = null;
  deviceId: string | null = null;
  readonly timeoutMs: number;
  #refCounter = 0;
  #relayOrigin: string;

  private constructor(ws: WebSocket, relayOrigin: string, timeoutMs: number) {
    this.ws = ws;
    this.#relayOrigin = relayOrigin;
    this.timeoutMs = timeoutMs;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
  }

  /** Opens the socket (no hello yet). */
  static async open(relay: Relay, opts: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(relay.wsUrl, {
      perMessageDeflate: false,
      ...(opts.origin ? { origin: opts.origin } : {}),
    });
    const client = new TestClient(ws, relay.origin, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    everyClient.add(client);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    return client;
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const env = readRelayEnvelope(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (!env) {
        this.schemaErrors.push('unreadable binary envelope from relay');
        return;
      }
      this.#envelopes.push(env);
      return;
    }
    const text = data.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.schemaErrors.push(`relay sent invalid JSON: ${text.slice(0, 80)}`);
      return;
    }
    const checked = validateRelayMessage(value);
    if (!checked.ok) this.schemaErrors.push(`${checked.code}: ${checked.message}`);
    const msg = value as RelayMessage;
    this.#messages.push(msg);
  }

  nextRef(): string {
    this.#refCounter += 1;
    return `r${this.#refCounter}`;
  }

  /** Waits for (and removes) the first message matching, buffered or future. */
  waitFor(match: (m: RelayMessage) => boolean, timeoutMs = this.timeoutMs): Promise<RelayMessage> {
    return this.#messages.take(match, timeoutMs);
  }

  /** The next message of type `t`. */
  next<T extends RelayMessageType>(t: T, timeoutMs?: number): Promise<RelayMessageOf<T>> {
    return this.waitFor((m) => m.t === t, timeoutMs) as Promise<RelayMessageOf<T>>;
  }

  /** The next binary envelope. */
  nextBinary(timeoutMs = this.timeoutMs): Promise<ReceivedEnvelope> {
    return this.#envelopes.take(() => true, timeoutMs);
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  /** Sends with a ref and resolves with the reply or error carrying that ref. */
  request(msg: ClientMessage | Record<string, unknown>, timeoutMs?: number): Promise<RelayMessage> {
    const ref = (msg as { ref?: string }).ref ?? this.nextRef();
    const reply = this.waitFor((m) => 'ref' in m && m.ref === ref, timeoutMs);
    this.send({ ...msg, ref });
    return reply;
  }

  /** Like request, but throws unless the reply is of type `t`. */
  async expect<T extends RelayMessageType>(
    t: T,
    msg: ClientMessage | Record<string, unknown>,
  ): Promise<RelayMessageOf<T>> {
    const reply = await this.request(msg);
    if (reply.t !== t) throw new Error(`expected ${t}, got ${JSON.stringify(reply)}`);
    return reply as RelayMessageOf<T>;
  }

  /** Sends and resolves with the error code of the reply (throws if it was not an error). */
  async expectError(msg: ClientMessage | Record<string, unknown>): Promise<ErrorCode> {
    const reply = await this.request(msg);
    if (reply.t !== 'error') throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
    return reply.code;
  }

  async hello(version = PROTOCOL_VERSION): Promise<RelayMessageOf<'hello'>> {
    const reply = await this.expect('hello', { t: 'hello', v: version });
    this.challenge = reply.challenge;
    return reply;
  }

  async newChallenge(): Promise<ChallengeWireT> {
    const reply = await this.expect('challenge', { t: 'challenge.new' });
    this.challenge = reply.challenge;
    return reply.challenge;
  }

  /** Signs the current challenge (or the given one) for `origin` (default: the relay's). */
  sign(signer: SigningKeyPair, opts: SignOptions = {}): { challenge: ChallengeWireT; sig: string } {
    const challenge = opts.challenge ?? this.challenge;
    if (!challenge) throw new Error('no challenge: call hello() first');
    const sig = signRelayChallenge(
      opts.origin ?? this.#relayOrigin,
      challengeFromWire(challenge),
      signer,
    );
    return { challenge: challengeToWire(challengeFromWire(challenge)), sig: toB64(sig) };
  }

  registerMessage(keys: DeviceKeys, opts: SignOptions = {}) {
    return {
      t: 'register' as const,
      username: keys.username,
      cert: certToWire(keys.cert),
      spk: prekeyToWire(keys.spk),
      ...this.sign(keys.device, opts),
    };
  }

  loginMessage(keys: DeviceKeys, opts: SignOptions = {}) {
    return { t: 'login' as const, cert: certToWire(keys.cert), ...this.sign(keys.device, opts) };
  }

  deviceAddMessage(keys: DeviceKeys, opts: SignOptions = {}) {
    return {
      t: 'device.add' as const,
      cert: certToWire(keys.cert),
      spk: prekeyToWire(keys.spk),
      ...this.sign(keys.device, opts),
    };
  }

  #authed(reply: RelayMessageOf<'authed'>): RelayMessageOf<'authed'> {
    this.userId = reply.userId;
    this.deviceId = reply.deviceId;
    return reply;
  }

  async register(keys: DeviceKeys): Promise<RelayMessageOf<'authed'>> {
    return this.#authed(await this.expect('authed', this.registerMessage(keys)));
  }

  async login(keys: DeviceKeys): Promise<RelayMessageOf<'authed'>> {
    return this.#authed(await this.expect('authed', this.loginMessage(keys)));
  }

  async addDevice(keys: DeviceKeys): Promise<RelayMessageOf<'authed'>> {
    return this.#authed(await this.expect('authed', this.deviceAddMessage(keys)));
  }

  /** Resolves with the close once the relay closes the socket. */
  async waitClosed(timeoutMs = this.timeoutMs): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('socket did not close')), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close();
    await this.waitClosed().catch(() => this.ws.terminate());
  }
}
