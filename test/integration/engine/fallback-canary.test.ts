import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import { registerUser, startClient, until } from '../../support/engine-client.ts';
import { captureLogs, databaseBytes } from '../relay/attack-support.ts';
import { startTestRelay } from '../relay/harness.ts';

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
    const relay = await startTestRelay({ logLevel: 'trace' }, { logDestination: logs.stream });
    cleanups.push(() => relay.destroy());
    const canary = `CANARY-${toB64(sodium().randombytes_buf(12))}`;
    const users = [await registerUser(relay), await registerUser(relay), await registerUser(relay)];
    const offline = await registerUser(relay);
    const alice = await startClient(relay, users[0]!);
    const bob = await startClient(relay, users[1]!, { webrtc: false });
    const carol = await startClient(relay, users[2]!);
    for (const c of [alice, bob, carol]) cleanups.push(() => c.close());

    const { roomId } = await alice.createRoom('general', 'public');
    await bob.joinRoom(roomId);
    await carol.joinRoom(roomId);
    await until(
      () =>
        [alice, bob, carol].every(
          (c) =>
            c
              .room(roomId)
              ?.mesh.peers()
              .filter((p) => p.verified).length === 2,
        ),
      20_000,
      'mesh linked',
    );
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
