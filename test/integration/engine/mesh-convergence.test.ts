import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WIRE_TYPE, WIRE_VERSION } from '../../../shared/crypto/constants.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { decodeEnvelope } from '../../../shared/protocol/envelope.ts';
import { DEFAULT_MESH_CAP } from '../../../web/core/mesh-topology.ts';
import type { RelayClient } from '../../../web/core/relay-client.ts';
import { decodeRelayPayload } from '../../../web/core/relay-payload.ts';
import { startClients, type TestClient, until } from '../../support/engine-client.ts';
import { enginePeer, sharedRoom, startTestRelay } from '../../support/engine-peer.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

/** Past the cap (8 others), so the ring topology and the relay path both come into play. */
const ROOM_SIZE = 14;
/** The first wave fits under the cap: everyone links directly with everyone in it. */
const FIRST_WAVE = DEFAULT_MESH_CAP + 1;
/** A handshake timeout (10 s), a retry, and a loaded 2-core box. */
const CONVERGE_MS = 45_000;
const POLL_MS = 50;

interface PairState {
  verified: boolean;
  path: string;
}

/** What member i's mesh says about member j, for every ordered pair. */
function snapshot(clients: TestClient[], roomId: string, deviceIds: string[]): PairState[][] {
  return clients.map((c) => {
    const byDevice = new Map<string, PairState>();
    for (const p of c.room(roomId)?.mesh.peers() ?? []) byDevice.set(p.deviceId, p);
    return deviceIds.map((id) => byDevice.get(id) ?? { verified: false, path: 'absent' });
  });
}

const isDirect = (p: PairState) => p.path === 'direct' || p.path === 'turn';

/** Pairs where one end holds a verified link and the other does not. */
function oneSided(view: PairState[][]): string[] {
  const out: string[] = [];
  for (let i = 0; i < view.length; i++) {
    for (let j = i + 1; j < view.length; j++) {
      const a = view[i]![j]!;
      const b = view[j]![i]!;
      if (a.verified !== b.verified) out.push(`${i}-${j}:${a.path}/${b.path}`);
    }
  }
  return out;
}

/**
 * The last handshake message on the relay path goes missing for the first
 * `count` links this client starts — what a responder sees when its
 * handshake timer runs out just before that message is read (a loaded
 * device in a room that everyone joins at once).
 */
function loseHandshakeFinishes(relay: RelayClient, count: number): void {
  let left = count;
  const send = relay.sendBinary.bind(relay);
  relay.sendBinary = (bytes: Uint8Array) => {
    const env = decodeEnvelope(bytes);
    const payload = env.ok ? decodeRelayPayload(env.envelope.payload) : null;
    const f = payload?.kind === 'link' ? payload.frame : null;
    if (left > 0 && f && f[0] === WIRE_VERSION && f[1] === WIRE_TYPE.handshakeFinish) {
      left--;
      return true;
    }
    return send(bytes);
  };
}

async function watchUntilLinked(clients: TestClient[], roomId: string, deviceIds: string[]) {
  let maxDirect = 0;
  let view = snapshot(clients, roomId, deviceIds);
  const allVerified = () => view.every((row, i) => row.every((p, j) => i === j || p.verified));
  const deadline = Date.now() + CONVERGE_MS;
  while (Date.now() < deadline) {
    view = snapshot(clients, roomId, deviceIds);
    for (const row of view) maxDirect = Math.max(maxDirect, row.filter(isDirect).length);
    if (allVerified()) break;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return { view, maxDirect, allVerified: allVerified() };
}

describe('a relay-path link that one side gives up on', () => {
  it('is noticed by the other side, which starts over: both ends verified', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    // Handshakes time out after 1 s; the initiator is done before (it waits only for the reply).
    const peers = [];
    for (let i = 0; i < 2; i++) {
      const p = await enginePeer(relay, { webrtc: false, mesh: { handshakeTimeoutMs: 1_000 } });
      cleanups.push(() => p.close());
      peers.push(p);
    }
    peers.sort((a, b) => (a.device.deviceId < b.device.deviceId ? -1 : 1));
    const [initiator, responder] = peers as [(typeof peers)[0], (typeof peers)[0]];
    loseHandshakeFinishes(initiator.client, 1);
    const roomId = await sharedRoom(peers);
    const meshes = [await initiator.joinMesh(roomId), await responder.joinMesh(roomId)];
    const verified = () => meshes.map((m) => m.peers().some((p) => p.verified));
    await until(() => verified().every(Boolean), 10_000, 'both ends verified', verified);
  }, 30_000);
});

describe('a room that everyone joins at once', () => {
  it('over the relay path, a link whose responder gave up is noticed and every pair ends verified on both sides', async () => {
    const { clients, users } = await startClients(cleanups, ROOM_SIZE, {
      webrtc: Array.from({ length: ROOM_SIZE }, () => false),
    });
    for (const c of clients.slice(0, 3)) loseHandshakeFinishes(c.relay, 2);
    const [owner, ...rest] = clients as [TestClient, ...TestClient[]];
    const { roomId } = await owner.createRoom('everyone at once', 'public');
    await Promise.all(rest.map((c) => c.joinRoom(roomId)));
    const deviceIds = users.map((u) => u.device.deviceId);
    const { view, allVerified } = await watchUntilLinked(clients, roomId, deviceIds);
    expect(oneSided(view)).toEqual([]);
    expect(allVerified).toBe(true);
  }, 120_000);

  it('with WebRTC, a second wave joining at once links everyone on both sides and nobody exceeds the mesh cap', async () => {
    const { clients, users } = await startClients(cleanups, ROOM_SIZE);
    const deviceIds = users.map((u) => u.device.deviceId);
    const [owner, ...rest] = clients as [TestClient, ...TestClient[]];
    const { roomId } = await owner.createRoom('two waves', 'public');
    const first = clients.slice(0, FIRST_WAVE);
    await Promise.all(rest.slice(0, FIRST_WAVE - 1).map((c) => c.joinRoom(roomId)));
    const wave1 = await watchUntilLinked(first, roomId, deviceIds.slice(0, FIRST_WAVE));
    expect(wave1.allVerified).toBe(true);

    await Promise.all(rest.slice(FIRST_WAVE - 1).map((c) => c.joinRoom(roomId)));
    const { view, maxDirect, allVerified } = await watchUntilLinked(clients, roomId, deviceIds);
    expect(oneSided(view)).toEqual([]);
    expect(allVerified).toBe(true);
    expect(maxDirect).toBeLessThanOrEqual(DEFAULT_MESH_CAP);
    // A link's path is the same from both ends.
    for (let i = 0; i < view.length; i++) {
      for (let j = 0; j < view.length; j++) {
        if (i !== j) expect(view[i]![j]!.path).toBe(view[j]![i]!.path);
      }
    }
  }, 120_000);
});
