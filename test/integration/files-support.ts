/**
 * Two whole engines (ParleyClient) in one room, with files going to temp
 * directories on disk: what every files-*.test.ts starts from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { loadSodium } from '../../shared/crypto/sodium.ts';
import type { FileSettings } from '../../web/core/files/file-settings.ts';
import type { TransferView } from '../../web/core/files/transfer-board.ts';
import { registerUser, startClient, type TestUser, until } from '../support/engine-client.ts';
import { nodeSinkFactory } from '../support/node-file-io.ts';
import type { TestRelay } from './relay/harness.ts';

export const MIB = 1024 * 1024;
/** 256 chunks of 64 KiB. */
export const SEGMENT_BYTES = 16 * MIB;

/**
 * The test file's cleanups, run newest first after each test; sodium is
 * loaded before its first test.
 */
export function fileTestCleanups(): Array<() => unknown> {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  beforeAll(async () => {
    await loadSodium();
  });
  return cleanups;
}

/** An incoming transfer of `fileId` that has ended: complete, failed or cancelled. */
export const finished =
  (fileId: string) => (t: { fileId: string; direction: string; state: string }) =>
    t.fileId === fileId &&
    t.direction === 'in' &&
    ['complete', 'failed', 'cancelled'].includes(t.state);

export type Engine = Awaited<ReturnType<typeof startClient>>;

export interface FilePair {
  alice: Engine;
  bob: Engine;
  bobUser: TestUser;
  roomId: string;
  dir: string;
  inbox: string;
  restartBob(): Promise<Engine>;
  /** The sender's reload; `files` replaces its file settings for the new run (default: the same). */
  restartAlice(files?: Partial<FileSettings>): Promise<Engine>;
}

export async function filePair(
  relay: TestRelay,
  cleanups: Array<() => unknown>,
  opts: { webrtc?: boolean; alice?: Partial<FileSettings>; bob?: Partial<FileSettings> } = {},
): Promise<FilePair> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-files-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const inbox = join(dir, 'inbox');
  const bobFiles = () => ({ sinks: nodeSinkFactory(inbox), ...opts.bob });
  const webrtc = opts.webrtc ?? true;
  const aliceUser = await registerUser(relay);
  const bobUser = await registerUser(relay);
  let alice = await startClient(relay, aliceUser, { webrtc, files: { ...opts.alice } });
  cleanups.push(() => alice.close());
  let bob = await startClient(relay, bobUser, { webrtc, files: bobFiles() });
  cleanups.push(() => bob.close());
  const { roomId } = await alice.createRoom('files', 'public');
  await bob.joinRoom(roomId);
  await linked(alice, bob, roomId);
  const pair: FilePair = {
    alice,
    bob,
    bobUser,
    roomId,
    dir,
    inbox,
    async restartBob() {
      bob.close();
      bob = await startClient(relay, bobUser, { webrtc, files: bobFiles() });
      cleanups.push(() => bob.close());
      pair.bob = bob;
      return bob;
    },
    async restartAlice(files = opts.alice) {
      alice.close();
      alice = await startClient(relay, aliceUser, { webrtc, files: { ...files } });
      cleanups.push(() => alice.close());
      pair.alice = alice;
      return alice;
    },
  };
  return pair;
}

export async function linked(a: Engine, b: Engine, roomId: string): Promise<void> {
  const ready = (c: Engine) =>
    c
      .room(roomId)
      ?.mesh.peers()
      .some((p) => p.verified) ?? false;
  await until(() => ready(a) && ready(b), 20_000, 'room linked');
}

export function transfer(c: Engine, pick: (t: TransferView) => boolean): TransferView | undefined {
  return c.files.transfers.value.find(pick);
}

export async function waitFor(
  c: Engine,
  pick: (t: TransferView) => boolean,
  timeoutMs: number,
  what: string,
): Promise<TransferView> {
  await until(() => !!transfer(c, pick), timeoutMs, what);
  return transfer(c, pick) as TransferView;
}
