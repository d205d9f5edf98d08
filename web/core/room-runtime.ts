/**
 * Everything one room needs while it is open, wired together: its mesh, its
 * presence, its sender-key session and its conversation (history, outbox).
 */
import type { ReadonlySignal } from '@preact/signals-core';
import { toB64 } from '../../shared/crypto/encoding.ts';
import { RoomBackfill } from './backfill.ts';
import { Conversation } from './conversation.ts';
import { type EngineContext, newMesh } from './engine-context.ts';
import type { ConversationFiles } from './files/conversation-files.ts';
import type { Mesh } from './mesh.ts';
import { type MemberView, roomMembers } from './room-members.ts';
import { RoomPresence } from './room-presence.ts';
import { RoomSession } from './room-session.ts';

export class RoomRuntime {
  readonly roomId: string;
  readonly mesh: Mesh;
  readonly presence: RoomPresence;
  readonly session: RoomSession;
  readonly conversation: Conversation;
  readonly files: ConversationFiles;
  readonly backfill: RoomBackfill;
  /** Members with presence, connection path and verification, for the UI. */
  readonly members: ReadonlySignal<MemberView[]>;
  readonly #closeMembers: () => void;
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext, roomId: string) {
    this.#ctx = ctx;
    this.roomId = roomId;
    this.mesh = newMesh(ctx, roomId);
    this.presence = new RoomPresence(ctx.relay, this.mesh, roomId);
    this.session = new RoomSession({
      roomId,
      mesh: this.mesh,
      presence: this.presence,
      me: { deviceId: ctx.me.deviceId, dk: ctx.me.dk },
    });
    const session = this.session;
    this.conversation = new Conversation({
      convId: roomId,
      kind: 'room',
      history: ctx.history,
      outbox: ctx.outbox,
      me: { ik: ctx.me.ikPk, deviceId: ctx.me.deviceId, dk: ctx.me.dk },
      transport: {
        send: (signed, event) => session.send(signed, { msgId: event.id, ts: event.ts }).sentTo,
        resendTo: (deviceId, signed, event) =>
          session.sendTo(deviceId, signed, { msgId: event.id, ts: event.ts }),
        ack: (deviceId, ids) => session.ack(deviceId, ids),
        typing: (on) => session.typing(on),
        recipients: () => session.recipients(),
      },
    });
    const conversation = this.conversation;
    this.files = ctx.files.attach(this.roomId, this.mesh, conversation);
    const report = ctx.reportError;
    session.events.on('event', (e) => {
      conversation.receive(e.signed, e.event).catch(report);
    });
    session.events.on('ack', (deviceId, ids) => {
      conversation.acked(deviceId, ids).catch(report);
    });
    session.events.on('typing', (from, on) => {
      const peer = this.mesh.peerIdentity(from.deviceId);
      if (peer) conversation.typingFrom(toB64(peer.ikPk), on);
    });
    const view = roomMembers(this.presence, this.mesh, ctx.trust, ctx.me.userId);
    this.members = view.members;
    this.#closeMembers = view.close;
    this.backfill = new RoomBackfill(ctx, {
      roomId,
      mesh: this.mesh,
      session,
      presence: this.presence,
      conversation,
      certs: ctx.certs,
    });
    // After the session has sent this device our sender key (it subscribed first).
    this.mesh.events.on('peerOpen', (member) => conversation.resendPending(member.deviceId));
    this.presence.events.on('removed', (userIds) => {
      // Stop waiting for acks from devices of people who left.
      for (const p of this.mesh.peers())
        if (userIds.includes(p.userId)) ctx.outbox.forget(p.deviceId).catch(report);
    });
  }

  async start(): Promise<void> {
    await this.conversation.load();
    await this.files.start();
    await this.presence.refresh();
  }

  close(): void {
    this.#ctx.router.remove(this.roomId);
    this.#ctx.files.detach(this.roomId);
    this.#closeMembers();
    this.backfill.close();
    this.session.close();
    this.presence.close();
    this.mesh.close();
  }
}
