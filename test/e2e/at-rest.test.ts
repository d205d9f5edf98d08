/**
 * Issue #6, "history is encrypted at rest": while a canary message and a
 * canary file name are on screen, a raw dump of everything the origin keeps
 * in IndexedDB (every database, store, key and value; binary as hex) holds
 * neither — not as text, not as the hex of its UTF-8, not as base64. Checked
 * on the sender's and the receiver's device, for a room and a DM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  attachFiles,
  messageLog,
  openConversation,
  sendMessage,
  startDirectMessage,
  waitForMessage,
} from './support/actions.ts';
import {
  CROSS_PEER_MS,
  E2E_TIMEOUTS,
  type Parley,
  type Person,
  startParley,
} from './support/parley.ts';
import { roomWith, signedUpPeople } from './support/scenarios.ts';
import { dumpStorage, findPlaintext, type StorageDump } from './support/storage-dump.ts';

vi.setConfig(E2E_TIMEOUTS);

const ROOM_CANARY = 'CanaryRoomQuokka7391 the eagle lands at dawn';
const DM_CANARY = 'CanaryDirectPangolin5521 meet by the old mill';
const FILE_CANARY = 'CanaryFileAxolotl8842-plans.txt';
const CANARIES = [ROOM_CANARY, DM_CANARY, FILE_CANARY];

let parley: Parley;
let alice: Person;
let bob: Person;
let dir: string;
const dumps: Record<string, StorageDump> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-e2e-rest-'));
  parley = await startParley('at-rest');
  [alice, bob] = (await signedUpPeople(parley, ['alice', 'bob'])) as [Person, Person];
  await roomWith([alice, bob], 'vault');
});

afterAll(async () => {
  await parley?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('what the device keeps on disk', () => {
  it('the canaries are on screen on both devices', async () => {
    await sendMessage(alice.page, ROOM_CANARY);
    const path = join(dir, FILE_CANARY);
    writeFileSync(path, 'nothing to see here\n');
    await attachFiles(alice.page, [path]);
    for (const p of [alice, bob]) {
      await waitForMessage(p.page, ROOM_CANARY);
      await messageLog(p.page)
        .getByRole('group', { name: FILE_CANARY, exact: true })
        .waitFor({ timeout: CROSS_PEER_MS });
    }
    await startDirectMessage(alice.page, 'bob');
    await sendMessage(alice.page, DM_CANARY);
    await openConversation(bob.page, 'alice');
    await waitForMessage(bob.page, DM_CANARY);
    await waitForMessage(alice.page, DM_CANARY);
    // The receiver's copy has been stored once it was acknowledged: the sender shows it.
    await messageLog(alice.page)
      .getByRole('img', { name: /^(Delivered|Read)$/ })
      .last()
      .waitFor({ state: 'attached', timeout: CROSS_PEER_MS });
    dumps.alice = await dumpStorage(alice.page);
    dumps.bob = await dumpStorage(bob.page);
  });

  it('IndexedDB holds history, and none of it in plaintext', () => {
    for (const [who, dump] of Object.entries(dumps)) {
      const records = dump.indexedDb.reduce((n, s) => n + s.records, 0);
      expect(records, `${who}'s device stores something`).toBeGreaterThan(0);
      const leaks = CANARIES.flatMap((c) =>
        findPlaintext({ ...dump, localStorage: '', opfsNames: [] }, c),
      );
      expect(leaks, `${who}'s IndexedDB`).toEqual([]);
    }
    expect(Object.keys(dumps)).toEqual(['alice', 'bob']);
  });

  it('nor in localStorage or the names of stored files', () => {
    for (const [who, dump] of Object.entries(dumps)) {
      const leaks = CANARIES.flatMap((c) => findPlaintext({ ...dump, indexedDb: [] }, c));
      expect(leaks, `${who}'s localStorage and OPFS names`).toEqual([]);
    }
    expect(Object.keys(dumps)).toEqual(['alice', 'bob']);
  });

  it('no request left for another host, no CSP violation, no uncaught error', () => {
    parley.assertClean();
  });
});
