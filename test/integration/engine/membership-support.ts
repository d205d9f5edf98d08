/**
 * Helpers for the membership-chain tests: who a client's chain says is in
 * the room, entries signed by hand (what a malicious member could send), and
 * waiting for every client's chain to agree.
 */
import { afterEach, beforeAll } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import { nextEntry, type SignedEntry, signEntry } from '../../../shared/events/membership-chain.ts';
import type { MembershipOp } from '../../../shared/events/membership-schema.ts';
import { encodeLinkMessage } from '../../../web/core/link-messages.ts';
import { encodeEntries } from '../../../web/core/room-chain-codec.ts';
import type { TestClient, TestUser } from '../../support/engine-client.ts';
import { until } from '../../support/engine-client.ts';

/**
 * The file's cleanups list (for startClients and friends): registers the
 * hooks that load sodium once and run the cleanups after each test, last
 * first. Call once at the top level of a test file.
 */
export function cleanupsAfterEach(): Array<() => unknown> {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  beforeAll(async () => {
    await loadSodium();
  });
  return cleanups;
}

export const ikOf = (u: TestUser) => toB64(u.account.ikPk);

export const texts = (c: TestClient, roomId: string) =>
  c.conversation(roomId)?.messages.value.map((m) => m.text) ?? [];

export const linkedTo = (c: TestClient, roomId: string, n: number) =>
  c
    .room(roomId)
    ?.mesh.peers()
    .filter((p) => p.verified).length === n;

/** Identity keys this client's chain holds as members, sorted. */
export function chainMembers(c: TestClient, roomId: string): string[] {
  return [...(c.room(roomId)?.roles.value.keys() ?? [])].sort();
}

export function headOf(c: TestClient, roomId: string): string {
  const head = c.room(roomId)?.chain.head();
  return head ? `${head.seq}:${head.hash}` : 'none';
}

/** Every client holds the same chain, with exactly these members. */
export async function chainsAgree(
  clients: TestClient[],
  roomId: string,
  members: TestUser[],
  what = 'chains agree',
): Promise<void> {
  const want = members.map(ikOf).sort();
  await until(
    () =>
      clients.every(
        (c) =>
          headOf(c, roomId) === headOf(clients[0]!, roomId) &&
          JSON.stringify(chainMembers(c, roomId)) === JSON.stringify(want),
      ),
    20_000,
    what,
    () => clients.map((c) => ({ head: headOf(c, roomId), members: chainMembers(c, roomId) })),
  );
}

/** An entry signed by `author` on top of `c`'s chain, whatever the rules say. */
export function forgeEntry(c: TestClient, roomId: string, author: TestUser, op: MembershipOp) {
  const state = c.room(roomId)!.chain.state.value!;
  return signEntry(nextEntry(state, ikOf(author), author.device.deviceId, Date.now(), op), {
    dkSecret: author.device.dk.privateKey,
    cert: author.device.cert,
  });
}

/** Sends entries over `from`'s open links to every other device, as chain sync would. */
export function pushEntries(from: TestClient, roomId: string, entries: SignedEntry[]): string[] {
  const mesh = from.room(roomId)!.mesh;
  const wire = encodeLinkMessage({
    t: 'chainEntries',
    entries: encodeEntries(entries),
    more: false,
  });
  return mesh
    .peers()
    .filter((p) => p.verified && mesh.send(p.deviceId, wire))
    .map((p) => p.deviceId);
}
