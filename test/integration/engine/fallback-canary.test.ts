import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import {
  registerUser,
  sharedRoomOf,
  startClients,
  type TestClient,
  until,
} from '../../support/engine-client.ts';
import { captureLogs, databaseBytes } from '../relay/attack-support.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

describe('fallback without WebRTC, and what the relay gets to see', () => {
  it('a client without WebRTC still talks; the canary is in no relay log line and not in its database', async () => {
    const logs = captureLogs();
    const { relay, clients } = await startClients(cleanups, 3, {
      webrtc: [true, false, true],
      relay: { logLevel: 'trace' },
      hooks: { logDestination: logs.stream },
    });
    const canary = `CANARY-${toB64(sodium().randombytes_buf(12))}`;
    const offline = await registerUser(relay);
    const roomId = await sharedRoomOf(clients, 'general');
    const [alice, bob, carol] = clients as [TestClient, TestClient, TestClient];
    expect(
      bob
        .room(roomId)!
        .mesh.peers()
        .map((p) => p.path),
    ).toEqual(['relay', 'relay']);

    await bob.sendText(roomId, `from bob, no webrtc: ${canary}`);
    await alice.sendText(roomId, `from alice: ${canary}`);
    const texts = (c: typeof alice) => c.conversation(roomId)!.messages.value.map((m) => m.text);
    await until(
      () => texts(alice).length === 2 && texts(bob).length === 2 && texts(carol).length === 2,
    );
    expect(texts(carol)).toEqual(texts(bob));

    // An offline recipient: the DM waits in the relay's mailbox, sealed.
    const dm = await alice.openDm(offline.username);
    await alice.sendText(dm, `sealed for later: ${canary}`);
    await new Promise((r) => setTimeout(r, 300));

    const db = databaseBytes(relay);
    expect(db.length).toBeGreaterThan(0);
    expect(db.includes(Buffer.from(canary))).toBe(false);
    expect(db.includes(Buffer.from('sealed for later'))).toBe(false);
    const logText = logs.text();
    expect(logText.length).toBeGreaterThan(0);
    expect(logText).not.toContain(canary);
    expect(logText).not.toContain('from bob, no webrtc');
  }, 60_000);
});
