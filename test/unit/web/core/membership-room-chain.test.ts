import 'fake-indexeddb/auto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newAtRestKeys } from '../../../../shared/crypto/at-rest.ts';
import { frame, toB64 } from '../../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../../shared/crypto/sodium.ts';
import { HistoryStore } from '../../../../web/core/history/history-store.ts';
import {
  decodeLinkMessage,
  encodeLinkMessage,
  isChainMessage,
} from '../../../../web/core/link-messages.ts';
import { decodeRelayPayload, encodeRelayPayload } from '../../../../web/core/relay-payload.ts';
import { type ChainChange, RoomChain } from '../../../../web/core/room-chain.ts';
import { decodeEntries, encodeEntries } from '../../../../web/core/room-chain-codec.ts';
import { type TestDevice, testDevice } from '../../../support/identities.ts';

beforeAll(async () => {
  await loadSodium();
});

let dbs = 0;
const ROOM = 'room-c';
const ik = (d: TestDevice) => toB64(d.identity.publicKey);

async function history() {
  return HistoryStore.open({ dbName: `membership-chain-${++dbs}`, ...newAtRestKeys() });
}

async function chainOf(d: TestDevice, store?: HistoryStore) {
  return RoomChain.open(store ?? (await history()), ROOM, {
    ikPk: d.identity.publicKey,
    deviceId: d.deviceId,
    dk: d.dk,
    cert: d.cert,
  });
}

describe("a device's copy of a room's membership chain", () => {
  it('takes in runs that extend it, knows what it has, and reports gaps', async () => {
    const [owner, bob] = [testDevice(), testDevice()];
    const a = await chainOf(owner);
    expect(a.create('r', 'public', 'shared').ok).toBe(true);
    const b = await chainOf(bob);
    expect(b.offer(a.entries)).toBe('adopted');
    expect(b.append({ op: 'join' }).ok).toBe(true);
    a.append({ op: 'invite', inviteHash: 'x'.repeat(43), expiresTs: 10 });
    // b's join and a's invite fork at seq 1; a shorter run than ours is never taken.
    expect(a.offer(b.entries.slice(0, 1))).toBe('known');
    const c = await chainOf(testDevice());
    expect(c.offer(b.entries.slice(1))).toBe('gap');
    expect(c.state.value).toBeNull();
  });

  it('refuses a run with a bad signature, and keeps what it had', async () => {
    const [owner, bob] = [testDevice(), testDevice()];
    const a = await chainOf(owner);
    a.create('r', 'public', 'shared');
    const b = await chainOf(bob);
    b.offer(a.entries);
    const join = b.append({ op: 'join' });
    if (!join.ok) throw new Error(join.code);
    const refused: string[] = [];
    a.events.on('refused', (code) => refused.push(code));
    const tampered = { ...join.value, sig: join.value.sig.slice().fill(1, 0, 4) };
    expect(a.offer([tampered])).toBe('refused');
    expect(refused).toEqual(['CHAIN_BAD_SIGNATURE']);
    expect(a.isMember(ik(bob))).toBe(false);
    expect(a.offer([join.value])).toBe('adopted');
    expect(a.isMember(ik(bob))).toBe(true);
  });

  it('a fork resolves the same way on both sides, and the loser signs its change again', async () => {
    const [owner, bob, carol] = [testDevice(), testDevice(), testDevice()];
    const a = await chainOf(owner);
    a.create('r', 'public', 'shared');
    const b = await chainOf(bob);
    b.offer(a.entries);
    b.append({ op: 'join' });
    a.offer(b.entries);
    a.append({ op: 'role', subject: ik(bob), role: 'admin' });
    b.offer(a.entries);
    const c = await chainOf(carol);
    c.offer(a.entries);
    c.append({ op: 'join' });
    a.offer(c.entries);
    b.offer(c.entries);
    // Concurrently: the owner invites, the admin kicks Carol.
    a.append({ op: 'invite', inviteHash: 'y'.repeat(43), expiresTs: 10 });
    b.append({ op: 'kick', subject: ik(carol) });
    const changes: ChainChange[] = [];
    a.events.on('changed', (ch) => changes.push(ch));
    b.events.on('changed', (ch) => changes.push(ch));
    // Equal length: the lower link hash wins, the same on both sides.
    const bFork = b.entries[4];
    const aLost = a.offer(b.entries) === 'adopted';
    expect(b.offer(a.entries)).toBe('adopted');
    // Whoever lost re-signed its change on the winner; the other takes that longer chain.
    a.offer(b.entries);
    b.offer(a.entries);
    expect(a.head()).toEqual(b.head());
    expect(a.head()!.seq).toBe(5);
    expect(a.entries[4] === bFork).toBe(aLost);
    expect(a.isMember(ik(carol))).toBe(false);
    expect(changes.some((ch) => ch.removed.includes(ik(carol)))).toBe(true);
  });

  it('does not take in an entry dated far ahead of its clock (it would starve every later join)', async () => {
    const [owner, bob] = [testDevice(), testDevice()];
    const a = await chainOf(owner);
    a.create('r', 'public', 'since-join');
    const ahead = await RoomChain.open(
      await history(),
      ROOM,
      { ikPk: bob.identity.publicKey, deviceId: bob.deviceId, dk: bob.dk, cert: bob.cert },
      { now: () => Date.now() + 3_600_000 },
    );
    ahead.offer(a.entries);
    ahead.append({ op: 'join' });
    const refused: string[] = [];
    a.events.on('refused', (code) => refused.push(code));
    expect(a.offer(ahead.entries)).toBe('refused');
    expect(refused).toEqual(['CHAIN_FROM_FUTURE']);
    expect(a.isMember(ik(bob))).toBe(false);
  });

  it('survives a reload from the encrypted kv store', async () => {
    const owner = testDevice();
    const store = await history();
    const a = await chainOf(owner, store);
    a.create('r', 'private', 'since-join');
    a.append({ op: 'invite', inviteHash: 'z'.repeat(43), expiresTs: 10 });
    await a.flush();
    const again = await chainOf(owner, store);
    expect(again.head()).toEqual(a.head());
    expect(again.state.value?.history).toBe('since-join');
    expect(again.roleOf(ik(owner))).toBe('owner');
  });
});

describe('membership on the wire', () => {
  it('entries, chain heads and relay copies round-trip; malformed ones decode to null', async () => {
    const owner = testDevice();
    const a = await chainOf(owner);
    a.create('r', 'public', 'shared');
    const bytes = encodeEntries(a.entries);
    expect(decodeEntries(bytes)?.map((e) => toB64(e.sig))).toEqual(
      a.entries.map((e) => toB64(e.sig)),
    );
    expect(decodeEntries(bytes, 0)).toBeNull();
    expect(
      decodeEntries(frame(a.entries[0]!.bytes, new Uint8Array(3), new Uint8Array(2))),
    ).toBeNull();
    expect(decodeEntries(new Uint8Array([1, 2, 3]))).toBeNull();

    const head = encodeLinkMessage({ t: 'chainHead', ...a.head()! });
    expect(isChainMessage(head)).toBe(true);
    expect(decodeLinkMessage(head)).toEqual({ t: 'chainHead', ...a.head()! });
    expect(decodeLinkMessage(encodeLinkMessage({ t: 'chainHead', seq: -1, hash: '' }))).toEqual({
      t: 'chainHead',
      seq: -1,
      hash: '',
    });
    expect(
      decodeLinkMessage(encodeLinkMessage({ t: 'chainHead', seq: 3, hash: 'short' })),
    ).toBeNull();
    expect(
      decodeLinkMessage(encodeLinkMessage({ t: 'chainHead', seq: -1, hash: 'x'.repeat(43) })),
    ).toBeNull();
    const run = encodeLinkMessage({ t: 'chainEntries', entries: bytes, more: true });
    expect(decodeLinkMessage(run)).toMatchObject({ t: 'chainEntries', more: true });

    const mail = encodeRelayPayload({ kind: 'membership', roomId: ROOM, entries: bytes });
    expect(decodeRelayPayload(mail)).toMatchObject({ kind: 'membership', roomId: ROOM });
    expect(decodeRelayPayload(mail.subarray(0, mail.length - 1))).toBeNull();
  });
});
