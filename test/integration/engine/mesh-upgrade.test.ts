import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { Mesh, PeerPath } from '../../../web/core/mesh.ts';
import { until } from '../../support/engine-client.ts';
import {
  allLinked,
  type EnginePeer,
  enginePeer,
  sharedRoom,
  startTestRelay,
} from '../../support/engine-peer.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

const paths = (m: Mesh) => m.peers().map((p) => `${p.path}:${p.verified}`);

describe('a link that fell back to the relay path', () => {
  it('moves to a data channel when a later try connects, and keeps delivering both ways', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    // Every first try at WebRTC times out at once: the pair ends up on the relay path.
    const mesh = { connectTimeoutMs: 1, upgradeDelayMs: 300, upgradeConnectTimeoutMs: 15_000 };
    const peers: EnginePeer[] = [];
    for (let i = 0; i < 2; i++) {
      const p = await enginePeer(relay, { mesh });
      cleanups.push(() => p.close());
      peers.push(p);
    }
    const roomId = await sharedRoom(peers);
    const meshes = [await peers[0]!.joinMesh(roomId), await peers[1]!.joinMesh(roomId)];
    const opened: PeerPath[][] = [[], []];
    meshes.forEach((m, i) => {
      m.events.on('peerOpen', (_member, path) => opened[i]!.push(path));
    });
    await allLinked(meshes, 1);
    await until(
      () => meshes.every((m) => paths(m).join() === 'direct:true'),
      20_000,
      'upgraded',
      () => meshes.map(paths),
    );
    expect(opened.map((o) => o.join(','))).toEqual(['relay,direct', 'relay,direct']);

    const got: string[][] = [[], []];
    meshes.forEach((m, i) => {
      m.events.on('message', (_from, bytes) => got[i]!.push(new TextDecoder().decode(bytes)));
    });
    expect(meshes[0]!.send(peers[1]!.device.deviceId, utf8('over the channel'))).toBe(true);
    expect(meshes[1]!.send(peers[0]!.device.deviceId, utf8('and back'))).toBe(true);
    await until(() => got[0]!.length === 1 && got[1]!.length === 1);
    expect(got).toEqual([['and back'], ['over the channel']]);
    // One link each way, nothing left over from the relay path.
    await new Promise((r) => setTimeout(r, 500));
    expect(meshes.map(paths)).toEqual([['direct:true'], ['direct:true']]);
  }, 60_000);
});
