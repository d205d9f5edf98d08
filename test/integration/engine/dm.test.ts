import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../../shared/events/event-schema.ts';
import { newEventId, signEvent } from '../../../shared/events/signed-event.ts';
import { checkKeys } from '../../../web/core/directory.ts';
import { dmIdFor } from '../../../web/core/dm-id.ts';
import { DmPresence } from '../../../web/core/dm-presence.ts';
import { DmSession, type ReceivedDmEvent } from '../../../web/core/dm-session.ts';
import { MailboxCollector } from '../../../web/core/mailbox.ts';
import { Mesh } from '../../../web/core/mesh.ts';
import { RelayClient } from '../../../web/core/relay-client.ts';
import { Router } from '../../../web/core/router.ts';
import { openSealed } from '../../../web/core/sealed-delivery.ts';
import { memoryPinStorage, TrustStore } from '../../../web/core/trust.ts';
import { type TestDevice, testDevice } from '../../support/identities.ts';
import { nodeSocket } from '../../support/node-socket.ts';
import { nodeWrtc } from '../../support/node-wrtc.ts';
import { startTestRelay, type TestRelay, uniqueUsername } from '../relay/harness.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

/** One device of a user with everything a DM needs, logging in or registering. */
async function dmUser(
  relay: TestRelay,
  opts: { device?: TestDevice; username?: string; webrtc?: boolean } = {},
) {
  const device = opts.device ?? testDevice();
  const username = opts.username ?? uniqueUsername('dm');
  const client = new RelayClient({
    url: relay.wsUrl,
    createSocket: nodeSocket,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  const trust = await TrustStore.open(memoryPinStorage());
  const mailbox = new MailboxCollector(client);
  const dms = new Map<string, DmSession>();
  const meshes = new Map<string, Mesh>();
  const inbox: ReceivedDmEvent[] = [];
  let userId = '';
  let router: Router | null = null;

  const open = (partner: { userId: string; username: string }) => {
    const existing = dms.get(partner.userId);
    if (existing) return existing;
    const dmId = dmIdFor(userId, partner.userId);
    const mesh = new Mesh({
      context: dmId,
      relay: client,
      me: { deviceId: device.deviceId, userId, dk: device.dk, cert: device.cert },
      trust,
      iceServers: [],
      webrtc: opts.webrtc ?? true,
      wrtc: nodeWrtc,
      retryDelayMs: 200,
    });
    router!.add(mesh);
    const presence = new DmPresence(client, mesh, partner);
    const session = new DmSession({
      dmId,
      partner,
      relay: client,
      mesh,
      trust,
      me: { deviceId: device.deviceId, dk: device.dk, cert: device.cert },
      lookup: async () =>
        checkKeys(await client.call({ t: 'keys.get', userId: partner.userId }, 'keys'), trust),
    });
    session.events.on('event', (e) => inbox.push(e));
    dms.set(partner.userId, session);
    meshes.set(partner.userId, mesh);
    cleanups.push(() => {
      session.close();
      presence.close();
      mesh.close();
    });
    void presence.refresh(true).catch(() => {});
    return session;
  };

  router = new Router(client, {
    mailbox,
    sealed: async (from, box) => {
      const opened = openSealed(box, [device.spk], device.identity.publicKey);
      if (!opened.ok) return false;
      const keys = await client.call({ t: 'keys.get', userId: from.userId }, 'keys');
      return open({ userId: from.userId, username: keys.username }).receiveMail(
        from.userId,
        opened.value,
      );
    },
  });
  const creds = { device: device.dk, cert: device.cert, spk: device.spk };
  const authed = opts.device ? await client.login(creds) : await client.register(username, creds);
  userId = authed.userId;
  cleanups.push(() => {
    router?.close();
    mailbox.close();
    client.close();
  });
  const linkedTo = (partnerId: string) =>
    !!meshes
      .get(partnerId)
      ?.peers()
      .some((p) => p.verified);
  return {
    device,
    username,
    userId,
    client,
    trust,
    inbox,
    mailbox,
    open,
    linkedTo,
    close: () => client.close(),
  };
}

function dmEvent(from: { device: TestDevice }, dmId: string, text: string): ChatEvent {
  return {
    v: 1,
    id: newEventId(),
    conv: dmId,
    authorIk: toB64(from.device.identity.publicKey),
    authorDevice: from.device.deviceId,
    lamport: 1,
    ts: Date.now(),
    body: { type: 'text', text },
  };
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('direct messages', () => {
  it('between two online users, a DM goes over their link', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const alice = await dmUser(relay);
    const bob = await dmUser(relay);
    const toBob = alice.open({ userId: bob.userId, username: bob.username });
    bob.open({ userId: alice.userId, username: alice.username });
    const dmId = dmIdFor(alice.userId, bob.userId);
    await until(() => alice.linkedTo(bob.userId) && bob.linkedTo(alice.userId));
    const e = dmEvent(alice, dmId, 'hi bob, over the link');
    const sent = await toBob.send(signEvent(e, alice.device.dk.privateKey), e);
    expect(sent).toEqual({ linked: [bob.device.deviceId], sealed: [] });
    await until(() => bob.inbox.length >= 1);
    expect(bob.inbox[0]).toMatchObject({ via: 'link', event: e });
  });

  it('a DM to an offline user waits in the relay and arrives when they log in', async () => {
    const relay = await startTestRelay();
    cleanups.push(() => relay.destroy());
    const bobName = uniqueUsername('bob');
    const bobFirst = await dmUser(relay, { username: bobName });
    bobFirst.close();
    const alice = await dmUser(relay);
    const toBob = alice.open({ userId: bobFirst.userId, username: bobName });
    const dmId = dmIdFor(alice.userId, bobFirst.userId);
    const e = dmEvent(alice, dmId, 'you were offline');
    const sent = await toBob.send(signEvent(e, alice.device.dk.privateKey), e);
    expect(sent.linked).toEqual([]);
    expect(sent.sealed).toEqual([bobFirst.device.deviceId]);
    await new Promise((r) => setTimeout(r, 200));
    // Bob comes back on the same device: the mailbox delivers, is acked, and is not redelivered.
    const bob = await dmUser(relay, { device: bobFirst.device, username: bobName });
    await until(() => bob.inbox.length === 1);
    expect(bob.inbox[0]).toMatchObject({ via: 'mail', event: e });
    await until(() => bob.mailbox.acked === 1);
    bob.close();
    const bobAgain = await dmUser(relay, { device: bobFirst.device, username: bobName });
    await new Promise((r) => setTimeout(r, 300));
    expect(bobAgain.inbox).toEqual([]);
  });
});
