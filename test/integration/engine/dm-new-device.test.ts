/**
 * A person who signs in on a new browser finds their DMs there at once: the
 * engine opens the partners the relay lists (`dm.list`) besides the ones the
 * device remembers, and the partner's keys are still fetched and pinned as
 * for any DM.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import {
  type Account,
  type AccountSession,
  createAccount,
  signInWithPassword,
} from '../../../web/core/account/index.ts';
import { ParleyClient } from '../../../web/core/client.ts';
import type { DeviceAccount } from '../../../web/core/engine-context.ts';
import { HistoryStore } from '../../../web/core/history/history-store.ts';
import type { WebSocketFactory } from '../../../web/core/relay-client.ts';
import { nodeSocket } from '../../support/node-socket.ts';
import { nodeWrtc } from '../../support/node-wrtc.ts';
import type { TestRelay } from '../relay/harness.ts';
import {
  accountRelay,
  CHEAP_KDF,
  cleanupList,
  freshKeyStore,
  type JsonMessage,
  relayClient,
  tamperingSocket,
  uniqueUsername,
} from './account-support.ts';

const cleanup = cleanupList();
afterEach(() => cleanup.run());
beforeAll(() => loadSodium());

const PASSWORD = 'correct horse battery staple, twice';
let historyCounter = 0;

function deviceAccount(account: Account): DeviceAccount {
  return {
    userId: account.userId,
    username: account.username,
    ikPk: account.identity.publicKey,
    deviceId: account.deviceId,
    dk: account.device,
    cert: account.cert,
    prekeys: [account.prekeys.current, ...account.prekeys.retired.map((r) => r.prekey)],
  };
}

interface Engine {
  client: ParleyClient;
  /** Closes the engine and its history (also done at cleanup). */
  close(): void;
}

/**
 * The engine on a device: a fresh, empty history (as in a new browser)
 * unless `dbName` reopens one.
 */
async function startEngine(
  relay: TestRelay,
  session: AccountSession,
  opts: { dbName?: string; createSocket?: WebSocketFactory } = {},
): Promise<Engine & { dbName: string }> {
  const dbName = opts.dbName ?? `parley-dm-new-device-${process.pid}-${++historyCounter}`;
  const history = await HistoryStore.open({
    dbName,
    dek: session.atRest.dek.slice(),
    indexKey: session.atRest.indexKey.slice(),
  });
  const client = await ParleyClient.start({
    relayUrl: relay.wsUrl,
    account: deviceAccount(session.account),
    history,
    createSocket: opts.createSocket ?? nodeSocket,
    mesh: { iceServers: [], webrtc: true, wrtc: nodeWrtc },
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.close();
    history.close();
  };
  cleanup.add(close);
  return { client, close, dbName };
}

async function newPerson(relay: TestRelay, prefix: string): Promise<AccountSession> {
  return createAccount({
    relay: relayClient(relay, cleanup),
    store: freshKeyStore(cleanup),
    username: uniqueUsername(prefix),
    password: PASSWORD,
    kdf: CHEAP_KDF,
  });
}

const texts = (client: ParleyClient, convId: string) =>
  client.conversation(convId)?.messages.value.map((m) => m.text) ?? [];

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('DMs on a newly signed-in device', () => {
  it('a password sign-in on a new browser lists the DM with bob, and a message from it reaches bob', async () => {
    const relay = await accountRelay(cleanup);
    const aliceSession = await newPerson(relay, 'alice');
    const bobSession = await newPerson(relay, 'bob');
    const bobName = bobSession.account.username;
    const alice = (await startEngine(relay, aliceSession)).client;
    const bob = (await startEngine(relay, bobSession)).client;

    const dmId = await alice.openDm(bobName);
    await alice.sendText(dmId, 'hi bob');
    await until(() => texts(bob, dmId).includes('hi bob'), 'bob got the first message');
    await bob.sendText(dmId, 'hi alice');
    await until(() => texts(alice, dmId).includes('hi alice'), 'alice got the reply');

    // Alice's new browser: the same identity, a new device, an empty history.
    const signedIn = await signInWithPassword({
      relay: relayClient(relay, cleanup),
      store: freshKeyStore(cleanup),
      username: aliceSession.account.username,
      password: PASSWORD,
      kdf: CHEAP_KDF,
    });
    expect(signedIn.account.deviceId).not.toBe(aliceSession.account.deviceId);
    const laptop = (await startEngine(relay, signedIn)).client;

    // Listed as soon as the engine has started, before bob writes again.
    expect(laptop.conversations.value).toContainEqual(
      expect.objectContaining({ convId: dmId, kind: 'dm', title: bobName }),
    );
    expect(laptop.dm(dmId)?.partner).toEqual({
      userId: bobSession.account.userId,
      username: bobName,
    });

    await laptop.sendText(dmId, 'from my new laptop');
    await until(
      () => texts(bob, dmId).includes('from my new laptop'),
      'bob got the new device message',
    );
    // Bob's key was fetched and pinned by the new device, as for any DM.
    expect(laptop.trust.get(bobSession.account.userId)?.ik).toBe(
      toB64(bobSession.account.identity.publicKey),
    );

    await bob.sendText(dmId, 'welcome back');
    await until(() => texts(laptop, dmId).includes('welcome back'), 'the new device got bob');
  });

  it("the relay's list cannot rename a remembered partner, add ourselves, or stop the DMs we remember", async () => {
    const relay = await accountRelay(cleanup);
    const aliceSession = await newPerson(relay, 'alice');
    const bobSession = await newPerson(relay, 'bob');
    const bobId = bobSession.account.userId;
    const bobName = bobSession.account.username;
    const first = await startEngine(relay, aliceSession);
    const dmId = await first.client.openDm(bobName);
    first.close();

    const cases: Array<(msg: JsonMessage) => JsonMessage> = [
      // Bob renamed, and alice herself offered as a DM partner.
      (msg) =>
        msg.t === 'dm.list.ok'
          ? {
              ...msg,
              partners: [
                { userId: bobId, username: 'mallory' },
                { userId: aliceSession.account.userId, username: aliceSession.account.username },
              ],
            }
          : msg,
      // A relay that does not answer dm.list (older, or refusing).
      (msg) =>
        msg.t === 'dm.list.ok'
          ? { t: 'error', ref: msg.ref, code: 'UNKNOWN_TYPE', message: 'unknown type t' }
          : msg,
    ];
    for (const rewrite of cases) {
      const lying = tamperingSocket(rewrite);
      const again = await startEngine(relay, aliceSession, {
        dbName: first.dbName,
        createSocket: lying.factory,
      });
      expect(lying.sent.some((m) => m.t === 'dm.list')).toBe(true);
      const dms = again.client.conversations.value.filter((c) => c.kind === 'dm');
      expect(dms).toEqual([expect.objectContaining({ convId: dmId, title: bobName })]);
      expect(again.client.dm(dmId)?.partner).toEqual({ userId: bobId, username: bobName });
      again.close();
    }
  });
});
