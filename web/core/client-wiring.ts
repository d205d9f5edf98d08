/**
 * Assembling the engine for a signed-in device (ParleyClient.start): the
 * relay connection, trust pins, outbox, mailbox and router, ICE servers and
 * the file service, as the one EngineContext every part is handed.
 * Deliveries the router does not place in a conversation's mesh (sealed
 * mail, membership mail) and background failures go to the facade's
 * handlers.
 */
import { CertCache } from './cert-cache.ts';
import type { DeviceAccount, EngineContext, MeshSettings } from './engine-context.ts';
import { FileService } from './files/file-service.ts';
import type { FileSettings } from './files/file-settings.ts';
import type { HistoryStore } from './history/history-store.ts';
import { MailboxCollector } from './mailbox.ts';
import { Outbox } from './outbox.ts';
import { kvPinStorage } from './pin-storage.ts';
import { RelayClient, type WebSocketFactory } from './relay-client.ts';
import { fetchIceServers, fetchMaxFileBytes } from './relay-config.ts';
import { Router } from './router.ts';
import { TrustStore } from './trust.ts';

export interface ParleyClientOptions {
  /** ws:// or wss:// URL of the relay's /ws. */
  relayUrl: string;
  account: DeviceAccount;
  history: HistoryStore;
  /** Node passes `ws`; browsers use their WebSocket. */
  createSocket?: WebSocketFactory;
  /** ICE servers default to the relay's /config. */
  mesh?: Partial<MeshSettings>;
  /** Where incoming files go (a sink factory), auto-accept size, limits. */
  files?: Partial<FileSettings>;
}

/**
 * The facade's side of the wiring. A returned promise is awaited before a
 * mailbox item is acknowledged (RouterHandlers).
 */
export interface EngineHandlers {
  sealed(fromUserId: string, box: Uint8Array): unknown;
  membership(roomId: string, fromDeviceId: string, entries: Uint8Array): unknown;
  reportError(error: unknown): void;
}

/** Builds the engine's parts (not yet logged in); the mailbox is closed by the facade. */
export async function assembleEngine(
  opts: ParleyClientOptions,
  handlers: EngineHandlers,
): Promise<{ ctx: EngineContext; mailbox: MailboxCollector }> {
  const history = opts.history;
  const relay = new RelayClient({
    url: opts.relayUrl,
    ...(opts.createSocket ? { createSocket: opts.createSocket } : {}),
  });
  const trust = await TrustStore.open(kvPinStorage(history));
  const outbox = await Outbox.open(history);
  const mailbox = new MailboxCollector(relay);
  const router = new Router(relay, {
    mailbox,
    sealed: (from, box) => handlers.sealed(from.userId, box),
    membership: (roomId, from, entries) => handlers.membership(roomId, from.deviceId, entries),
  });
  const iceServers = opts.mesh?.iceServers ?? (await fetchIceServers(opts.relayUrl));
  const ctx: EngineContext = {
    relay,
    router,
    trust,
    history,
    outbox,
    me: opts.account,
    mesh: { webrtc: true, ...opts.mesh, iceServers },
    certs: new CertCache(),
    files: new FileService({
      history,
      deviceId: opts.account.deviceId,
      ...(opts.files ? { settings: opts.files } : {}),
      fetchMaxFileBytes: () => fetchMaxFileBytes(opts.relayUrl),
      reportError: (error) => ctx.reportError(error),
    }),
    reportError: (error) => handlers.reportError(error),
  };
  return { ctx, mailbox };
}
