/**
 * What every per-conversation part of the engine shares: the relay
 * connection, the router, trust, storage, and who we are. Built once by the
 * client (client-wiring.ts) and handed down, so no part reaches for globals.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import type { MailPrekey } from '../../shared/crypto/sealed-mail.ts';
import type { CertCache } from './cert-cache.ts';
import type { FileService } from './files/file-service.ts';
import type { HistoryStore } from './history/history-store.ts';
import { Mesh } from './mesh.ts';
import type { MeshSettings } from './mesh-types.ts';
import type { Outbox } from './outbox.ts';
import type { RelayClient } from './relay-client.ts';
import type { Router } from './router.ts';
import type { TrustStore } from './trust.ts';

/** This device, as the engine needs it after sign-in (account module's output). */
export interface DeviceAccount {
  userId: string;
  username: string;
  ikPk: Uint8Array;
  deviceId: string;
  dk: SigningKeyPair;
  cert: DeviceCert;
  /** Current and recent signed prekeys: sealed mail may be addressed to any. */
  prekeys: MailPrekey[];
}

export type { MeshSettings };

export interface EngineContext {
  relay: RelayClient;
  router: Router;
  trust: TrustStore;
  history: HistoryStore;
  outbox: Outbox;
  me: DeviceAccount;
  mesh: MeshSettings;
  /** File sharing: each runtime attaches its conversation. */
  files: FileService;
  /** Verified device certs, for backfill answers. */
  certs: CertCache;
  /**
   * Where failures of background work go (a message that could not be
   * stored, an ack that could not be recorded): never an unhandled rejection.
   */
  reportError(error: unknown): void;
}

export function meIkB64(ctx: EngineContext): string {
  return toB64(ctx.me.ikPk);
}

/** A mesh for one conversation, registered with the router. */
export function newMesh(ctx: EngineContext, context: string): Mesh {
  const s = ctx.mesh;
  const mesh = new Mesh({
    context,
    relay: ctx.relay,
    me: { deviceId: ctx.me.deviceId, userId: ctx.me.userId, dk: ctx.me.dk, cert: ctx.me.cert },
    trust: ctx.trust,
    iceServers: s.iceServers,
    webrtc: s.webrtc,
    ...(s.iceTransportPolicy ? { iceTransportPolicy: s.iceTransportPolicy } : {}),
    ...(s.wrtc ? { wrtc: s.wrtc } : {}),
    ...(s.cap ? { cap: s.cap } : {}),
    ...(s.connectTimeoutMs ? { connectTimeoutMs: s.connectTimeoutMs } : {}),
  });
  ctx.router.add(mesh);
  return mesh;
}
