import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { Mesh, MeshMember } from '../../../web/core/mesh.ts';
import {
  allLinked,
  type EnginePeer,
  enginePeer,
  sharedRoom,
  startTestRelay,
  type TestRelay,
} from '../../support/engine-peer.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

async function setup(n: number, peerOpts: Parameters<typeof enginePeer>[1][] = []) {
  const relay: TestRelay = await startTestRelay();
  cleanups.push(() => relay.destroy());
  const peers: EnginePeer[] = [];
  for (let i = 0; i < n; i++) {
    const p = await enginePeer(relay, peerOpts[i] ?? {});
    cleanups.push(() => p.close());
    peers.push(p);
  }
  const roomId = await sharedRoom(peers);
  const meshes: Mesh[] = [];
  for (const p of peers) meshes.push(await p.joinMesh(roomId));
  return { relay, peers, roomId, meshes };
}

function inbox(mesh: Mesh) {
  const got: Array<{ from: MeshMember; text: string }> = [];
  mesh.events.on('message', (from, m) => got.push({ from, text: new TextDecoder().decode(m) }));
  return got;
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('mesh over a real relay and real WebRTC', () => {
  it('three members link directly to each other and talk both ways', async () => {
    const { peers, meshes } = await setup(3);
    await allLinked(meshes, 2);
    for (const m of meshes) for (const p of m.peers()) expect(p.path).toBe('direct');
    const boxes = meshes.map(inbox);
    meshes[0]!.broadcast(utf8('from alice'));
    meshes[2]!.broadcast(utf8('from carol'));
    await until(() => boxes[1]!.length === 2 && boxes[0]!.length === 1 && boxes[2]!.length === 1);
    expect(boxes[1]!.map((m) => m.text).sort()).toEqual(['from alice', 'from carol']);
    expect(boxes[1]!.find((m) => m.text === 'from alice')?.from.username).toBe(peers[0]!.username);
    // Every identity seen over a verified link is now pinned.
    expect(peers[1]!.trust.get(peers[0]!.authed.userId)?.state).toBe('pinned');
  });

  it('a member without WebRTC still talks, over relay-path links', async () => {
    const { meshes } = await setup(3, [{}, { webrtc: false }, {}]);
    await allLinked(meshes, 2);
    const paths = meshes.map((m) =>
      m
        .peers()
        .map((p) => p.path)
        .sort()
        .join(','),
    );
    expect(paths[1]).toBe('relay,relay');
    expect(paths[0]).toBe('direct,relay');
    const boxes = meshes.map(inbox);
    meshes[1]!.broadcast(utf8('no webrtc here'));
    await until(() => boxes[0]!.length === 1 && boxes[2]!.length === 1);
    expect(boxes[0]![0]!.text).toBe('no webrtc here');
  });

  it('direct links keep delivering while the relay is down, and are not duplicated after', async () => {
    const { relay, meshes } = await setup(3);
    await allLinked(meshes, 2);
    const opens = meshes.map((m) => {
      let n = 0;
      m.events.on('peerOpen', () => n++);
      return () => n;
    });
    const boxes = meshes.map(inbox);
    await relay.close();
    meshes[0]!.broadcast(utf8('while the relay is down'));
    await until(() => boxes[1]!.length === 1 && boxes[2]!.length === 1);
    const again = await startTestRelay({ port: relay.port, dataDir: relay.dataDir });
    cleanups.push(() => again.destroy());
    // Every client logs back in and reloads presence.
    await until(() => again.socketCount() === 3);
    await new Promise((r) => setTimeout(r, 500));
    await allLinked(meshes, 2);
    expect(opens.map((n) => n())).toEqual([0, 0, 0]);
    meshes[2]!.broadcast(utf8('after the restart'));
    await until(() => boxes[0]!.length === 1 && boxes[1]!.length === 2);
    expect(boxes[1]!.map((b) => b.text)).toEqual(['while the relay is down', 'after the restart']);
  });

  it('a member that leaves is unlinked by everyone, with no ghost left behind', async () => {
    const { peers, meshes } = await setup(3);
    await allLinked(meshes, 2);
    peers[2]!.close();
    await until(() => meshes[0]!.peers().length === 1 && meshes[1]!.peers().length === 1);
    expect(meshes[0]!.peers()[0]!.username).toBe(peers[1]!.username);
    expect(meshes[0]!.broadcast(utf8('x'))).toEqual([peers[1]!.device.deviceId]);
  });
});

describe('a room larger than the mesh cap', () => {
  it('12 members with cap 8: each holds 8 direct links and reaches the other 3 through the relay', async () => {
    const opts = Array.from({ length: 12 }, () => ({ mesh: { cap: 8 } }));
    const { meshes, peers: setupPeers } = await setup(12, opts);
    await allLinked(meshes, 11, 60_000);
    // The cap holds: nobody has more than 8 direct links, a direct link is
    // direct from both ends, and everyone reaches all 11 others (through the
    // relay where not direct — including where a direct attempt timed out,
    // which on a loaded 2-core box it may: that is the fallback working).
    const direct = meshes.map(
      (m) =>
        new Set(
          m
            .peers()
            .filter((p) => p.path === 'direct')
            .map((p) => p.deviceId),
        ),
    );
    for (const [i, m] of meshes.entries()) {
      expect(m.peers()).toHaveLength(11);
      expect(m.peers().every((p) => p.verified)).toBe(true);
      expect(direct[i]!.size).toBeLessThanOrEqual(8);
    }
    const deviceOf = (i: number) => setupPeers[i]!.device.deviceId;
    for (let i = 0; i < 12; i++) {
      for (let j = 0; j < 12; j++) {
        if (i !== j) expect(direct[i]!.has(deviceOf(j))).toBe(direct[j]!.has(deviceOf(i)));
      }
    }
    // Most pairs the topology makes direct do connect directly.
    const totalDirect = direct.reduce((n, d) => n + d.size, 0);
    expect(totalDirect).toBeGreaterThanOrEqual(0.75 * 12 * 8);
    const boxes = meshes.map(inbox);
    expect(meshes[5]!.broadcast(utf8('to everyone'))).toHaveLength(11);
    await until(() => boxes.every((b, i) => i === 5 || b.length === 1), 20_000);
  }, 90_000);
});
