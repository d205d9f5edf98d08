/**
 * Test harness for the relay: a real relay on an ephemeral port with a real
 * SQLite file in a temp dir, and typed clients (test-client.ts) over real
 * `ws` sockets that do hello + register/login/device.add with real keys
 * (test-keys.ts). Import everything from here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { RelayMessageOf } from '../../../shared/protocol/relay-messages.ts';
import type { RelayConfig } from '../../../signal/config.ts';
import { type Relay, type RelayHooks, startRelay } from '../../../signal/server.ts';
import { type ClientOptions, TestClient } from './test-client.ts';
import { type DeviceKeys, newUserKeys } from './test-keys.ts';

export * from './test-client.ts';
export * from './test-keys.ts';

export interface TestRelay extends Relay {
  readonly dataDir: string;
  /** close() and delete the data dir. */
  destroy(): Promise<void>;
}

/**
 * A relay on 127.0.0.1:0 with its own temp data dir (or `dataDir` to reuse
 * one, e.g. across a restart). Logs are silent unless PARLEY_TEST_LOG is set.
 */
export async function startTestRelay(
  opts: Partial<RelayConfig> = {},
  hooks: RelayHooks = {},
): Promise<TestRelay> {
  await loadSodium();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-relay-'));
  const relay = await startRelay(
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: (process.env.PARLEY_TEST_LOG as RelayConfig['logLevel']) ?? 'silent',
      webDir: join(dataDir, 'no-web'),
      drainTimeoutMs: 1_000,
      ...opts,
      dataDir,
    },
    hooks,
  );
  return {
    ...relay,
    dataDir,
    async destroy() {
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type ConnectMode = 'register' | 'login' | 'device.add';

export interface ConnectedDevice {
  client: TestClient;
  keys: DeviceKeys;
  userId: string;
  deviceId: string;
  authed: RelayMessageOf<'authed'>;
}

/**
 * Connects, says hello and authenticates: registers new keys by default,
 * or logs in / adds a device with the given keys.
 */
export async function connectDevice(
  relay: Relay,
  opts: { keys?: DeviceKeys; mode?: ConnectMode; username?: string } & ClientOptions = {},
): Promise<ConnectedDevice> {
  const keys = opts.keys ?? newUserKeys(opts.username);
  const mode = opts.mode ?? 'register';
  const client = await TestClient.open(relay, opts);
  await client.hello();
  const authed =
    mode === 'register'
      ? await client.register(keys)
      : mode === 'login'
        ? await client.login(keys)
        : await client.addDevice(keys);
  return { client, keys, userId: authed.userId, deviceId: authed.deviceId, authed };
}

/** Creates a room owned by `owner` and joins each of `members` to it. */
export async function roomWith(
  owner: ConnectedDevice,
  members: ConnectedDevice[],
  visibility: 'public' | 'private' = 'public',
): Promise<{ roomId: string; invite?: string }> {
  const created = await owner.client.expect('room.created', {
    t: 'room.create',
    name: 'test room',
    visibility,
  });
  const roomId = created.room.id;
  for (const m of members) {
    await m.client.expect('room.joined', {
      t: 'room.join',
      roomId,
      ...(created.invite ? { invite: created.invite } : {}),
    });
  }
  return created.invite ? { roomId, invite: created.invite } : { roomId };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
