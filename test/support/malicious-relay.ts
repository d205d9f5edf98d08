/**
 * A malicious relay for tests: a real relay behind a WebSocket proxy that can
 * rewrite what the relay tells clients (JSON control messages) and watch
 * every frame. The relay is started with --public-url pointing at the proxy,
 * so logins stay valid: the attacker *is* the relay the clients chose.
 */
import { WebSocket, WebSocketServer } from 'ws';
import type { RelayConfig } from '../../signal/config.ts';
import { startTestRelay, type TestRelay } from '../integration/relay/harness.ts';
import { freePort } from './ports.ts';

export type JsonMessage = Record<string, unknown> & { t: string };

export interface MaliciousRelay {
  relay: TestRelay;
  /** What clients connect to. */
  wsUrl: string;
  /** Rewrites a relay → client control message (return it unchanged to pass it on). */
  toClient: ((msg: JsonMessage) => JsonMessage) | null;
  /** Binary frames clients sent (envelopes), as the relay would see them. */
  readonly binaryFromClients: Uint8Array[];
  close(): Promise<void>;
}

export async function startMaliciousRelay(
  opts: Partial<RelayConfig> = {},
): Promise<MaliciousRelay> {
  const port = await freePort();
  const relay = await startTestRelay({ ...opts, publicUrl: `http://127.0.0.1:${port}` });
  const server = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  const state: MaliciousRelay = {
    relay,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    toClient: null,
    binaryFromClients: [],
    async close() {
      for (const s of sockets) s.terminate();
      await new Promise<void>((r) => server.close(() => r()));
      await relay.destroy();
    },
  };
  server.on('connection', (client) => {
    const upstream = new WebSocket(relay.wsUrl, { perMessageDeflate: false });
    sockets.add(client);
    sockets.add(upstream);
    const pending: Array<[Buffer, boolean]> = [];
    upstream.on('open', () => {
      for (const [data, binary] of pending.splice(0)) upstream.send(data, { binary });
    });
    client.on('message', (data: Buffer, binary) => {
      if (binary) state.binaryFromClients.push(new Uint8Array(data));
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
      else pending.push([data, binary]);
    });
    upstream.on('message', (data: Buffer, binary) => {
      if (binary || !state.toClient) {
        client.send(data, { binary });
        return;
      }
      const rewritten = state.toClient(JSON.parse(data.toString()) as JsonMessage);
      client.send(JSON.stringify(rewritten));
    });
    client.on('close', () => upstream.close());
    upstream.on('close', (code) => client.close(code === 1005 || code === 1006 ? 1000 : code));
  });
  return state;
}
