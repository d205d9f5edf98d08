/**
 * One user's engine parts in Node, wired the way the app wires them: a relay
 * client logged in with real keys, a trust store, a router, and per-room
 * meshes fed by presence — over real WebRTC (node-datachannel) unless told
 * to go without it.
 */
import { Mesh, type MeshOptions } from '../../web/core/mesh.ts';
import { RelayClient } from '../../web/core/relay-client.ts';
import { RoomPresence } from '../../web/core/room-presence.ts';
import { RoomSession } from '../../web/core/room-session.ts';
import { Router } from '../../web/core/router.ts';
import { memoryPinStorage, TrustStore } from '../../web/core/trust.ts';
import { startTestRelay, type TestRelay, uniqueUsername } from '../integration/relay/harness.ts';
import { testDevice } from './identities.ts';
import { nodeSocket } from './node-socket.ts';
import { nodeWrtc } from './node-wrtc.ts';

export { startTestRelay, type TestRelay };

export interface EnginePeerOptions {
  webrtc?: boolean;
  username?: string;
  mesh?: Partial<MeshOptions>;
}

export async function enginePeer(relay: TestRelay, opts: EnginePeerOptions = {}) {
  const device = testDevice();
  const client = new RelayClient({
    url: relay.wsUrl,
    createSocket: nodeSocket,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  const username = opts.username ?? uniqueUsername('peer');
  const authed = await client.register(username, {
    device: device.dk,
    cert: device.cert,
    spk: device.spk,
  });
  const trust = await TrustStore.open(memoryPinStorage());
  const router = new Router(client);
  const meshes = new Map<string, { mesh: Mesh; presence: RoomPresence; session?: RoomSession }>();

  return {
    username,
    device,
    client,
    authed,
    trust,
    router,
    /** Starts this user's mesh for a room it is a member of. */
    async joinMesh(roomId: string): Promise<Mesh> {
      const mesh = new Mesh({
        context: roomId,
        relay: client,
        me: { deviceId: device.deviceId, userId: authed.userId, dk: device.dk, cert: device.cert },
        trust,
        iceServers: [],
        webrtc: opts.webrtc ?? true,
        wrtc: nodeWrtc,
        retryDelayMs: 200,
        ...opts.mesh,
      });
      router.add(mesh);
      const presence = new RoomPresence(client, mesh, roomId);
      meshes.set(roomId, { mesh, presence });
      await presence.refresh();
      return mesh;
    },
    /** Mesh, presence and the end-to-end room session for a room. */
    async joinRoom(roomId: string) {
      const mesh = await this.joinMesh(roomId);
      const entry = meshes.get(roomId)!;
      entry.session = new RoomSession({
        roomId,
        mesh,
        presence: entry.presence,
        me: { deviceId: device.deviceId, dk: device.dk },
      });
      return { mesh, presence: entry.presence, session: entry.session };
    },
    close(): void {
      for (const { mesh, presence, session } of meshes.values()) {
        session?.close();
        presence.close();
        mesh.close();
      }
      router.close();
      client.close();
    },
  };
}

export type EnginePeer = Awaited<ReturnType<typeof enginePeer>>;

/** A public room created by the first peer and joined by the rest. */
export async function sharedRoom(peers: EnginePeer[], name = 'general'): Promise<string> {
  const [owner, ...rest] = peers;
  if (!owner) throw new Error('need at least one peer');
  const created = await owner.client.call(
    { t: 'room.create', name, visibility: 'public' },
    'room.created',
  );
  for (const p of rest) {
    await p.client.call({ t: 'room.join', roomId: created.room.id }, 'room.joined');
  }
  return created.room.id;
}

/** Resolves when every online member is linked (verified) in each mesh. */
export async function allLinked(meshes: Mesh[], expectedPeers: number, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (meshes.every((m) => m.peers().filter((p) => p.verified).length === expectedPeers)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  const state = meshes.map((m) =>
    m
      .peers()
      .map((p) => `${p.username}:${p.path}`)
      .join(','),
  );
  throw new Error(`meshes did not link in time: ${state.join(' | ')}`);
}
