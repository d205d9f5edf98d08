/**
 * The relay: one HTTP server with a WebSocket endpoint at /ws. This file
 * wires the parts (config, store, limits, presence, handlers) and owns the
 * lifecycle: start, ping, sweep, graceful drain. `startRelay` is the stable
 * programmatic API used by main.ts, the tests and the benchmarks.
 */

import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type pino from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { RELAY_AUTH } from '../shared/crypto/constants.ts';
import { randomBytes } from '../shared/crypto/random.ts';
import { ChallengeBook } from '../shared/crypto/relay-auth.ts';
import { loadSodium } from '../shared/crypto/sodium.ts';
import { CLOSE_CODES } from '../shared/protocol/errors.ts';
import type { RelayLimitsT } from '../shared/protocol/relay-messages.ts';
import { withdrawChallenge } from './auth.ts';
import { type RelayConfig, resolveConfig } from './config.ts';
import { Connection } from './connection.ts';
import type { RelayContext } from './context.ts';
import { onFrame } from './dispatch.ts';
import { type HttpState, handleHttp } from './http-routes.ts';
import { KeyedCounter } from './limits.ts';
import { createLogger } from './log.ts';
import { sweepMailbox } from './mailbox.ts';
import { createMetrics } from './metrics.ts';
import { type OriginPolicy, originPolicy } from './origin.ts';
import { Presence } from './presence.ts';
import { RateLimiterMemory } from './rate-limiter.ts';
import { SqliteStore } from './store/sqlite-store.ts';
import type { RelayStore } from './store/store.ts';
import { RELAY_VERSION } from './version.ts';

const PEPPER_KEY = 'prelogin-pepper';
const PEPPER_BYTES = 32;
const BLOB_WINDOW_SEC = 15 * 60;
const WS_PATH = '/ws';

export interface RelayHooks {
  /** Protocol clock (challenge freshness, mailbox expiry). Default Date.now. */
  now?: () => number;
  /** Where logs go (default stdout). */
  logDestination?: pino.DestinationStream;
  /** Challenge time to live; default RELAY_AUTH.challengeTtlMs. */
  challengeTtlMs?: number;
}

export interface Relay {
  /** http://host:port */
  readonly url: string;
  /** ws://host:port/ws */
  readonly wsUrl: string;
  readonly port: number;
  /** The origin a client connecting to `wsUrl` signs at login. */
  readonly origin: string;
  readonly config: RelayConfig;
  readonly store: RelayStore;
  /** Path of the SQLite file. */
  readonly dbPath: string;
  readonly ctx: RelayContext;
  /** Open sockets (authenticated or not). */
  socketCount(): number;
  /** Graceful drain: /readyz 503, close sockets with 1001, flush the store. */
  close(): Promise<void>;
}

/**
 * Module-level on purpose: a listener created inside the upgrade handler
 * would close over that call's context — including `req` — and keep the
 * whole IncomingMessage alive for the socket's lifetime (~2 KB per idle
 * socket, measured by bench/relay-idle-memory.ts).
 */
function ignoreSocketError(): void {}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

function loadPepper(store: RelayStore): Uint8Array {
  const existing = store.getMeta(PEPPER_KEY);
  if (existing && existing.length === PEPPER_BYTES) return existing;
  const pepper = randomBytes(PEPPER_BYTES);
  store.setMeta(PEPPER_KEY, pepper);
  return pepper;
}

function limitsOf(config: RelayConfig): RelayLimitsT {
  return {
    maxFrameBytes: config.maxFrameBytes,
    maxControlBytes: config.maxControlBytes,
    maxFileBytes: config.maxFileBytes,
    maxRoomMembers: config.maxRoomMembers,
    maxDevicesPerUser: config.maxDevicesPerUser,
    mailboxTtlMs: config.mailboxTtlDays * 86_400_000,
    mailboxQuotaBytes: config.mailboxQuotaBytes,
    mailboxQuotaItems: config.mailboxQuotaItems,
    authDeadlineMs: config.authDeadlineMs,
  };
}

export async function startRelay(
  options: Partial<RelayConfig> = {},
  hooks: RelayHooks = {},
): Promise<Relay> {
  const startedMs = performance.now();
  const config = resolveConfig(options);
  await loadSodium();
  const log = createLogger(config.logLevel, hooks.logDestination);
  const store = new SqliteStore(config.dataDir);
  const presence = new Presence(store);
  const connections = new Set<Connection>();
  const perIp = new KeyedCounter();
  const httpState: HttpState = { draining: false };

  const ctx: RelayContext = {
    config,
    store,
    log,
    metrics: await createMetrics(config.metrics, () => connections.size),
    presence,
    // Each socket holds at most one outstanding challenge (auth.ts), so a
    // book sized above the socket limit never has to evict a live one.
    challenges: new ChallengeBook({
      ttlMs: hooks.challengeTtlMs ?? RELAY_AUTH.challengeTtlMs,
      maxOutstanding: Math.max(100_000, config.maxConnections + 1),
    }),
    limiters: {
      authPerIp: new RateLimiterMemory({ points: config.authAttemptsPerMinPerIp, duration: 60 }),
      blobPerAccount: new RateLimiterMemory({
        points: config.blobAttemptsPerAccount,
        duration: BLOB_WINDOW_SEC,
      }),
      blobPerIp: new RateLimiterMemory({
        points: config.blobAttemptsPerIp,
        duration: BLOB_WINDOW_SEC,
      }),
    },
    pepper: loadPepper(store),
    limits: limitsOf(config),
    relayVersion: RELAY_VERSION,
    now: hooks.now ?? Date.now,
  };

  const connLimits = {
    frameRatePerSec: config.frameRatePerSec,
    frameBurst: config.frameBurst,
    maxViolationsPerMin: config.maxViolationsPerMin,
    // Twice the drop bound plus one frame: envelopes stop at the bound, so
    // only a socket that never reads its own replies gets this far.
    hardBufferedBytes: config.maxBufferedBytes * 2 + config.maxFrameBytes,
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });

  // Set once the port is known (port 0 = ephemeral); sockets only come after.
  let origins: OriginPolicy | null = null;

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const ip = clientIp(req);
    const conn = new Connection(
      ws,
      req.socket,
      ip,
      origins!.signingOrigin(req),
      connLimits,
      Date.now(),
    );
    connections.add(conn);
    perIp.inc(ip);
    conn.authTimer = setTimeout(() => {
      conn.authTimer = null;
      if (conn.state !== 'authed')
        conn.closeWith('AUTH_TIMEOUT', 'log in within the auth deadline');
    }, config.authDeadlineMs);
    ws.on('message', (data, isBinary) => onFrame(ctx, conn, data as Buffer, isBinary));
    ws.on('pong', () => {
      conn.alive = true;
    });
    // ws reports protocol errors (oversize → 1009, bad UTF-8 → 1007) here,
    // then closes the socket itself; nothing to do but not crash.
    ws.on('error', (err) => log.debug({ connId: conn.id, err: err.message }, 'socket error'));
    ws.on('close', () => {
      conn.state = 'closed';
      if (conn.authTimer) clearTimeout(conn.authTimer);
      withdrawChallenge(ctx, conn);
      connections.delete(conn);
      perIp.dec(ip);
      try {
        // While draining every socket is going: no presence storm, no store use.
        if (presence.remove(conn) && !httpState.draining) presence.announce(conn, false);
      } catch (err) {
        log.error({ err, connId: conn.id }, 'presence update on close failed');
      }
    });
  }

  const server = createServer((req, res) => {
    handleHttp(ctx, httpState, req, res).catch((err: unknown) => {
      log.error({ err }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Until ws takes the socket over (it adds its own handler), an error
    // here must not become an unhandled 'error' event.
    socket.on('error', ignoreSocketError);
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    if (httpState.draining) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (!origins?.originAllowed(req)) {
      log.warn({ origin: req.headers.origin }, 'upgrade from a foreign origin refused');
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    if (connections.size >= config.maxConnections) {
      return rejectUpgrade(socket, 503, 'Service Unavailable');
    }
    if (perIp.get(clientIp(req)) >= config.maxConnectionsPerIp) {
      return rejectUpgrade(socket, 429, 'Too Many Requests');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });

  const pingTimer = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, config.pingIntervalMs);
  const sweepTimer = setInterval(() => {
    try {
      sweepMailbox(ctx);
    } catch (err) {
      log.error({ err }, 'mailbox sweep failed');
    }
  }, config.mailboxSweepIntervalMs);
  sweepMailbox(ctx);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const hostForUrl = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${hostForUrl.includes(':') ? `[${hostForUrl}]` : hostForUrl}:${port}`;
  origins = originPolicy(config, port, url);
  if (!config.publicUrl && config.host !== '127.0.0.1' && config.host !== 'localhost') {
    log.warn(
      {},
      'no --public-url: logins are accepted only for this machine’s addresses and hostname; set --public-url when clients use a DNS name',
    );
  }
  log.info(
    { url, dataDir: config.dataDir, startupMs: Math.round(performance.now() - startedMs) },
    'relay ready',
  );

  let closing: Promise<void> | null = null;
  async function drain(): Promise<void> {
    httpState.draining = true;
    clearInterval(pingTimer);
    clearInterval(sweepTimer);
    // Keep listening while sockets drain, so /readyz can say 503 and a load
    // balancer stops sending us traffic; new upgrades are refused meanwhile.
    for (const conn of connections) conn.ws.close(CLOSE_CODES.goingAway, 'SHUTTING_DOWN');
    const deadline = Date.now() + config.drainTimeoutMs;
    while (connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const conn of connections) conn.terminate();
    // terminate() emits 'close' asynchronously; let those handlers run first.
    while (connections.size > 0) await new Promise((resolve) => setImmediate(resolve));
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await serverClosed;
    store.close();
    log.info({}, 'relay stopped');
    log.flush?.();
  }

  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}${WS_PATH}`,
    port,
    origin: origins.canonical,
    config,
    store,
    dbPath: store.path,
    ctx,
    socketCount: () => connections.size,
    close() {
      closing ??= drain();
      return closing;
    },
  };
}
