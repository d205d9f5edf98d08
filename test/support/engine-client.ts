/**
 * A whole engine (ParleyClient) for one user in Node: registered on the test
 * relay with real keys, history in fake-indexeddb (encrypted at rest like in
 * a browser), WebRTC through node-datachannel.
 */
import 'fake-indexeddb/auto';
import { newAtRestKeys } from '../../shared/crypto/at-rest.ts';
import { ParleyClient } from '../../web/core/client.ts';
import type { DeviceAccount } from '../../web/core/engine-context.ts';
import type { FileSettings } from '../../web/core/files/file-settings.ts';
import { HistoryStore } from '../../web/core/history/history-store.ts';
import { RelayClient } from '../../web/core/relay-client.ts';
import { startTestRelay, type TestRelay, uniqueUsername } from '../integration/relay/harness.ts';
import { type TestDevice, testDevice } from './identities.ts';
import { nodeSocket } from './node-socket.ts';
import { nodeWrtc } from './node-wrtc.ts';

let dbCounter = 0;

export interface TestUser {
  username: string;
  device: TestDevice;
  account: DeviceAccount;
  dbName: string;
  atRest: { dek: Uint8Array; indexKey: Uint8Array };
}

/** Registers a user (first device) on the relay. */
export async function registerUser(
  relay: TestRelay,
  username = uniqueUsername('user'),
): Promise<TestUser> {
  const device = testDevice();
  const rc = new RelayClient({ url: relay.wsUrl, createSocket: nodeSocket });
  const authed = await rc.register(username, {
    device: device.dk,
    cert: device.cert,
    spk: device.spk,
  });
  rc.close();
  return {
    username,
    device,
    dbName: `parley-test-${process.pid}-${++dbCounter}`,
    atRest: newAtRestKeys(),
    account: {
      userId: authed.userId,
      username,
      ikPk: device.identity.publicKey,
      deviceId: device.deviceId,
      dk: device.dk,
      cert: device.cert,
      prekeys: [
        { id: device.spk.id, publicKey: device.spk.publicKey, privateKey: device.spk.privateKey },
      ],
    },
  };
}

/** Starts (or restarts, after a "reload") the engine for a registered user. */
export async function startClient(
  relay: Pick<TestRelay, 'wsUrl'>,
  user: TestUser,
  opts: { webrtc?: boolean; files?: Partial<FileSettings> } = {},
): Promise<ParleyClient & { history: HistoryStore }> {
  const history = await HistoryStore.open({ dbName: user.dbName, ...copyKeys(user.atRest) });
  const client = await ParleyClient.start({
    relayUrl: relay.wsUrl,
    account: user.account,
    history,
    createSocket: nodeSocket,
    mesh: { iceServers: [], webrtc: opts.webrtc ?? true, wrtc: nodeWrtc },
    ...(opts.files ? { files: opts.files } : {}),
  });
  const close = client.close.bind(client);
  return Object.assign(client, {
    history,
    close() {
      close();
      history.close();
    },
  });
}

function copyKeys(k: { dek: Uint8Array; indexKey: Uint8Array }) {
  return { dek: k.dek.slice(), indexKey: k.indexKey.slice() };
}

export type TestClient = Awaited<ReturnType<typeof startClient>>;

/**
 * A relay and one started client per user: the preamble most engine tests
 * share. Everything it starts is registered in `cleanups` (run them after the
 * test, last first).
 */
export async function startClients(
  cleanups: Array<() => unknown>,
  count: number,
  opts: {
    webrtc?: boolean[];
    relay?: Parameters<typeof startTestRelay>[0];
    hooks?: Parameters<typeof startTestRelay>[1];
  } = {},
): Promise<{ relay: TestRelay; users: TestUser[]; clients: TestClient[] }> {
  const relay = await startTestRelay(opts.relay, opts.hooks);
  cleanups.push(() => relay.destroy());
  const users: TestUser[] = [];
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i++) {
    const user = await registerUser(relay);
    const client = await startClient(relay, user, { webrtc: opts.webrtc?.[i] ?? true });
    cleanups.push(() => client.close());
    users.push(user);
    clients.push(client);
  }
  return { relay, users, clients };
}

/** The first client creates a public room, the others join; resolves once all are linked. */
export async function sharedRoomOf(clients: TestClient[], name = 'general'): Promise<string> {
  const [first, ...rest] = clients;
  if (!first) throw new Error('no clients');
  const { roomId } = await first.createRoom(name, 'public');
  for (const c of rest) await c.joinRoom(roomId);
  await until(
    () =>
      clients.every(
        (c) =>
          c
            .room(roomId)
            ?.mesh.peers()
            .filter((p) => p.verified).length ===
          clients.length - 1,
      ),
    20_000,
    'everyone linked',
  );
  return roomId;
}

export async function until(
  check: () => boolean,
  timeoutMs = 15_000,
  what = 'condition',
  explain?: () => unknown,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      const state = explain ? `: ${JSON.stringify(explain())}` : '';
      throw new Error(`${what} not met in ${timeoutMs} ms${state}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
