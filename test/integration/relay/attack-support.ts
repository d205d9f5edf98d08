/**
 * Helpers for the adversarial relay tests (attack-*.test.ts), built on the
 * harness. What the harness's TestClient cannot do, an attacker can: forge
 * the Host header, connect from another loopback address, send invalid UTF-8
 * in a text frame. `RawClient` does those and still checks every relay frame
 * against the published protocol schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { WebSocket } from 'ws';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { certToWire, prekeyToWire, type SigningKeyPair } from '../../../shared/crypto/keys.ts';
import { randomBytes } from '../../../shared/crypto/random.ts';
import { challengeFromWire, signRelayChallenge } from '../../../shared/crypto/relay-auth.ts';
import {
  clientEnvelope,
  type ReceivedEnvelope,
  readRelayEnvelope,
} from '../../../shared/protocol/envelope.ts';
import { ERROR_CODE_LIST } from '../../../shared/protocol/errors.ts';
import type { ChallengeWireT } from '../../../shared/protocol/fields.ts';
import { validateRelayMessage } from '../../../shared/protocol/parse.ts';
import type { RelayMessage } from '../../../shared/protocol/relay-messages.ts';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.ts';
import {
  type Closed,
  type ConnectedDevice,
  connectDevice,
  type DeviceKeys,
  newDeviceFor,
  relaySchemaErrors,
  startTestRelay,
  type TestClient,
  type TestRelay,
} from './harness.ts';
import { WaitQueue } from './wait-queue.ts';

export { containsBytes } from '../../support/bytes.ts';

export const ATTACK_TIMEOUT_MS = 5_000;

let refCounter = 0;

export interface RawOptions {
  /** Extra upgrade headers, e.g. a forged `Host`. */
  headers?: Record<string, string>;
  /** Connect from this local address (any of 127.0.0.0/8 works on Linux). */
  localAddress?: string;
  timeoutMs?: number;
}

/** A socket an attacker controls end to end; relay replies are schema-checked. */
export class RawClient {
  readonly ws: WebSocket;
  readonly #messages = new WaitQueue<RelayMessage>('a relay message');
  /** Relay messages received and not yet taken. */
  readonly inbox = this.#messages.items;
  /** Every text message ever received (the inbox loses the awaited ones). */
  readonly seen: RelayMessage[] = [];
  readonly binaries: ReceivedEnvelope[] = [];
  readonly schemaErrors: string[] = [];
  readonly closed: Promise<Closed>;
  readonly timeoutMs: number;
  challenge: ChallengeWireT | null = null;

  private constructor(ws: WebSocket, timeoutMs: number) {
    this.ws = ws;
    this.timeoutMs = timeoutMs;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
  }

  static async open(url: string, opts: RawOptions = {}): Promise<RawClient> {
    const ws = new WebSocket(url, {
      perMessageDeflate: false,
      ...(opts.headers ? { headers: opts.headers } : {}),
      ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
    });
    const client = new RawClient(ws, opts.timeoutMs ?? ATTACK_TIMEOUT_MS);
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
      if (env) this.binaries.push(env);
      else this.schemaErrors.push('unreadable binary envelope from relay');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch {
      this.schemaErrors.push('relay sent invalid JSON');
      return;
    }
    const checked = validateRelayMessage(value);
    if (!checked.ok) this.schemaErrors.push(`${checked.code}: ${checked.message}`);
    const msg = value as RelayMessage;
    this.seen.push(msg);
    this.#messages.push(msg);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  waitFor(match: (m: RelayMessage) => boolean, timeoutMs = this.timeoutMs): Promise<RelayMessage> {
    return this.#messages.take(match, timeoutMs);
  }

  send(msg: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** A text frame carrying exactly these bytes (valid UTF-8 or not). */
  sendTextBytes(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: false });
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  request(msg: Record<string, unknown>, timeoutMs?: number): Promise<RelayMessage> {
    refCounter += 1;
    const ref = (msg.ref as string | undefined) ?? `a${refCounter}`;
    const reply = this.waitFor((m) => 'ref' in m && m.ref === ref, timeoutMs);
    this.send({ ...msg, ref });
    return reply;
  }

  async hello(): Promise<ChallengeWireT> {
    const reply = await this.request({ t: 'hello', v: PROTOCOL_VERSION });
    if (reply.t !== 'hello') throw new Error(`expected hello, got ${JSON.stringify(reply)}`);
    this.challenge = reply.challenge;
    return reply.challenge;
  }

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

  close(): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

/** `{challenge, sig}` as a login/register/blob.fetch carries it, signed for `origin`. */
export function answer(
  challenge: ChallengeWireT,
  signer: SigningKeyPair,
  origin: string,
): { challenge: ChallengeWireT; sig: string } {
  const sig = signRelayChallenge(origin, challengeFromWire(challenge), signer);
  return { challenge: { nonce: challenge.nonce, ts: challenge.ts }, sig: toB64(sig) };
}

export function loginFor(keys: DeviceKeys, challenge: ChallengeWireT, origin: string) {
  return { t: 'login', cert: certToWire(keys.cert), ...answer(challenge, keys.device, origin) };
}

export function registerFor(keys: DeviceKeys, challenge: ChallengeWireT, origin: string) {
  return {
    t: 'register',
    username: keys.username,
    cert: certToWire(keys.cert),
    spk: prekeyToWire(keys.spk),
    ...answer(challenge, keys.device, origin),
  };
}

/** The code of an error reply, or a description of what came instead. */
export function codeOf(reply: RelayMessage): string {
  return reply.t === 'error' ? reply.code : `(not an error: ${reply.t})`;
}

/** Stops reading the socket at the TCP level: the kernel buffers fill, then the relay's. */
export function pauseReading(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.pause();
}

/** pino destination that keeps every log line in memory. */
export function captureLogs(): { stream: { write(line: string): void }; text(): string } {
  const lines: string[] = [];
  return {
    stream: {
      write(line: string) {
        lines.push(line);
      },
    },
    text: () => lines.join(''),
  };
}

/** The database file plus its WAL and shared-memory files, as they are on disk now. */
export function databaseBytes(relay: TestRelay): Buffer {
  const parts: Buffer[] = [];
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const path = `${relay.dbPath}${suffix}`;
    if (existsSync(path)) parts.push(readFileSync(path));
  }
  return Buffer.concat(parts);
}

/** Error codes in frames a client saw that are not in the published list. */
export function unknownCodes(messages: readonly RelayMessage[]): string[] {
  const known = new Set<string>(ERROR_CODE_LIST);
  return messages
    .filter((m) => m.t === 'error' || m.t === 'envelope.error')
    .map((m) => (m as { code: string }).code)
    .filter((code) => !known.has(code));
}

/**
 * The relay still works for an honest newcomer: two fresh users register,
 * share a room, and one's envelope reaches the other.
 */
export async function assertRelayServes(relay: TestRelay): Promise<void> {
  const a = await connectDevice(relay);
  const b = await connectDevice(relay);
  const created = await a.client.expect('room.created', {
    t: 'room.create',
    name: 'still alive',
    visibility: 'public',
  });
  await b.client.expect('room.joined', { t: 'room.join', roomId: created.room.id });
  a.client.sendBinary(clientEnvelope({ device: b.deviceId }, new Uint8Array([7, 7, 7])));
  const got = await b.client.nextBinary();
  if (got.kind !== 'direct' || got.fromDevice !== a.deviceId) {
    throw new Error('relay no longer forwards envelopes');
  }
  await Promise.all([a.client.close(), b.client.close()]);
}

/** Closes every client given, ignoring ones that are gone already. */
export async function closeAll(...clients: (TestClient | ConnectedDevice | RawClient)[]) {
  await Promise.all(
    clients.map(async (c) => {
      if (c instanceof RawClient) c.close();
      else if ('client' in c) await c.client.close();
      else await c.close();
    }),
  );
}

/** A random 16-byte id, base64url: a room, device or invite nobody has. */
export const randomId = (): string => toB64(randomBytes(16));

/**
 * The fixture the room attack files share (call at the top of the file): one
 * relay per file (abuse allowed: the tests misbehave on purpose), every device
 * closed after each test, and no schema error seen by any client.
 */
export function roomAttackRelay() {
  let relay: TestRelay | undefined;
  const open: ConnectedDevice[] = [];
  beforeAll(async () => {
    relay = await startTestRelay({ maxViolationsPerMin: 1_000 });
  });
  afterAll(async () => {
    await relay?.destroy();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((d) => d.client.close()));
    expect(relaySchemaErrors()).toEqual([]);
  });
  const current = (): TestRelay => {
    if (!relay) throw new Error('roomAttackRelay: the relay is not started yet');
    return relay;
  };
  const track = (d: ConnectedDevice) => {
    open.push(d);
    return d;
  };
  return {
    relay: current,
    /** A newly registered user's first device. */
    user: async () => track(await connectDevice(current())),
    /** Another device of the same user. */
    secondDevice: async (of: ConnectedDevice) =>
      track(await connectDevice(current(), { keys: newDeviceFor(of.keys), mode: 'device.add' })),
    /** Nothing binary reached `d` (checked after a ping round trip flushed the relay). */
    async receivedNothing(d: ConnectedDevice): Promise<boolean> {
      await d.client.expect('pong', { t: 'ping' });
      return d.client.binaryInbox.length === 0;
    },
  };
}
