import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toB64 } from '../../../shared/crypto/encoding.ts';
import { loadSodium } from '../../../shared/crypto/sodium.ts';
import type { ChatEvent } from '../../../shared/events/event-schema.ts';
import { newEventId, signEvent } from '../../../shared/events/signed-event.ts';
import type { ReceivedRoomEvent, RoomSession } from '../../../web/core/room-session.ts';
import {
  allLinked,
  type EnginePeer,
  enginePeer,
  sharedRoom,
  startTestRelay,
} from '../../support/engine-peer.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
beforeAll(async () => {
  await loadSodium();
});

async function room(n: number) {
  const relay = await startTestRelay();
  cleanups.push(() => relay.destroy());
  const peers: EnginePeer[] = [];
  for (let i = 0; i < n; i++) {
    const p = await enginePeer(relay);
    cleanups.push(() => p.close());
    peers.push(p);
  }
  const roomId = await sharedRoom(peers);
  const joined = [];
  for (const p of peers) joined.push(await p.joinRoom(roomId));
  await allLinked(
    joined.map((j) => j.mesh),
    n - 1,
  );
  return {
    relay,
    peers,
    roomId,
    sessions: joined.map((j) => j.session),
    meshes: joined.map((j) => j.mesh),
  };
}

function textEvent(p: EnginePeer, roomId: string, text: string): ChatEvent {
  return {
    v: 1,
    id: newEventId(),
    conv: roomId,
    authorIk: toB64(p.device.identity.publicKey),
    authorDevice: p.device.deviceId,
    lamport: 1,
    ts: Date.now(),
    body: { type: 'text', text },
  };
}

function send(session: RoomSession, p: EnginePeer, event: ChatEvent) {
  return session.send(signEvent(event, p.device.dk.privateKey), { msgId: event.id, ts: event.ts });
}

function received(session: RoomSession) {
  const got: ReceivedRoomEvent[] = [];
  session.events.on('event', (e) => got.push(e));
  return got;
}

async function until(check: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('room session: sender keys over the mesh', () => {
  it('members exchange signed, encrypted events and each knows who wrote them', async () => {
    const { peers, roomId, sessions } = await room(3);
    const inboxes = sessions.map(received);
    const e1 = textEvent(peers[0]!, roomId, 'hello from alice');
    const e2 = textEvent(peers[1]!, roomId, 'hi from bob');
    // Sent right after linking: distributions and events race, and must still land.
    send(sessions[0]!, peers[0]!, e1);
    send(sessions[1]!, peers[1]!, e2);
    await until(
      () => inboxes[2]!.length === 2 && inboxes[0]!.length === 1 && inboxes[1]!.length === 1,
    );
    const carolSaw = inboxes[2]!.map((r) => ({
      text: (r.event.body as { text: string }).text,
      from: r.from.username,
    }));
    expect(carolSaw).toEqual(
      expect.arrayContaining([
        { text: 'hello from alice', from: peers[0]!.username },
        { text: 'hi from bob', from: peers[1]!.username },
      ]),
    );
    expect(inboxes[1]![0]!.event).toEqual(e1);
  });

  it('acks travel back to the sender', async () => {
    const { peers, roomId, sessions } = await room(2);
    const acks: string[][] = [];
    sessions[0]!.events.on('ack', (_d, ids) => acks.push(ids));
    sessions[1]!.events.on('event', (e) => sessions[1]!.ack(e.from.deviceId, [e.event.id]));
    const e = textEvent(peers[0]!, roomId, 'ack me');
    send(sessions[0]!, peers[0]!, e);
    await until(() => acks.length === 1);
    expect(acks[0]).toEqual([e.id]);
  });

  it('a resent message is delivered once (the copy is refused as a replay)', async () => {
    const { peers, roomId, sessions } = await room(2);
    const inbox = received(sessions[1]!);
    const rejected: string[] = [];
    sessions[1]!.events.on('rejected', (_m, code) => rejected.push(code));
    const e = textEvent(peers[0]!, roomId, 'once');
    const { message } = send(sessions[0]!, peers[0]!, e);
    await until(() => inbox.length === 1);
    sessions[0]!.resend(peers[1]!.device.deviceId, message);
    await until(() => rejected.length === 1);
    expect(rejected).toEqual(['SK_REPLAY']);
    expect(inbox).toHaveLength(1);
  });

  it('a kicked member cannot read what follows, and is not sent it', async () => {
    const { peers, roomId, sessions } = await room(3);
    const [alice, bob, mallory] = peers as [EnginePeer, EnginePeer, EnginePeer];
    const inboxes = sessions.map(received);
    send(sessions[0]!, alice, textEvent(alice, roomId, 'before the kick'));
    await until(() => inboxes[2]!.length === 1 && inboxes[1]!.length === 1);
    const rotated = new Promise<number>((r) =>
      sessions[0]!.events.once('rotated', (epoch) => r(epoch)),
    );
    await alice.client.call({ t: 'room.kick', roomId, userId: mallory.authed.userId }, 'ok');
    expect(await rotated).toBe(1);
    await until(() => sessions[0]!.epoch === 1 && sessions[1]!.epoch === 1);
    const after = textEvent(alice, roomId, 'after the kick');
    const { sentTo } = send(sessions[0]!, alice, after);
    expect(sentTo).toEqual([bob.device.deviceId]);
    await until(() => inboxes[1]!.length === 2);
    expect((inboxes[1]![1]!.event.body as { text: string }).text).toBe('after the kick');
    await new Promise((r) => setTimeout(r, 300));
    expect(inboxes[2]!.map((r) => (r.event.body as { text: string }).text)).toEqual([
      'before the kick',
    ]);
  });

  it('after the sender moves to a new epoch, its messages of the last still in flight decrypt; only the newest three epochs are kept', async () => {
    const { peers, roomId, sessions, meshes } = await room(2);
    const [alice] = peers as [EnginePeer, EnginePeer];
    const bobId = peers[1]!.device.deviceId;
    const inbox = received(sessions[1]!);
    send(sessions[0]!, alice, textEvent(alice, roomId, 'epoch 0, delivered'));
    await until(() => inbox.length === 1);
    // Written at epoch 0 while the link would not take it: still in alice's outbox.
    const mesh = meshes[0]!;
    const realSend = mesh.send.bind(mesh);
    mesh.send = () => false;
    const late = textEvent(alice, roomId, 'epoch 0, in flight');
    const { message: inFlight, sentTo } = send(sessions[0]!, alice, late);
    mesh.send = realSend;
    expect(sentTo).toEqual([]);

    sessions[0]!.rotate(null);
    send(sessions[0]!, alice, textEvent(alice, roomId, 'epoch 1'));
    await until(() => inbox.length === 2);
    sessions[0]!.resend(bobId, inFlight);
    await until(() => inbox.length === 3);
    expect(inbox.map((r) => (r.event.body as { text: string }).text)).toEqual([
      'epoch 0, delivered',
      'epoch 1',
      'epoch 0, in flight',
    ]);

    // Three more epochs: epoch 0's receiver is gone (its keys wiped), and so is the message.
    const again = textEvent(alice, roomId, 'epoch 0, far too late');
    mesh.send = () => false;
    const { message: tooLate } = send(sessions[0]!, alice, again);
    mesh.send = realSend;
    for (let i = 0; i < 3; i++) sessions[0]!.rotate(null);
    send(sessions[0]!, alice, textEvent(alice, roomId, 'epoch 4'));
    await until(() => inbox.length === 4);
    sessions[0]!.resend(bobId, tooLate);
    await new Promise((r) => setTimeout(r, 300));
    expect(inbox.map((r) => (r.event.body as { text: string }).text)).not.toContain(
      'epoch 0, far too late',
    );
  });
});
