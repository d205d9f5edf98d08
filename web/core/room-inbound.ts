/**
 * What a room's members send us over their links, checked before anything
 * reaches history: only from a device whose identity is a member (held
 * briefly while its join may still be on its way); sender-key
 * distributions only from the very device whose key they name, over a link
 * that verified it; every room event checked twice — the sender-key
 * signature (this device sent it, in this room and epoch, never before) and
 * the event's own signature (this device wrote it, for this identity).
 * Acks, typing and backfill are passed up as they come.
 */
import { toB64, unframe } from '../../shared/crypto/encoding.ts';
import { peekSenderKeyHeader, verifyDistribution } from '../../shared/crypto/sender-keys.ts';
import { type SignedEvent, verifyEvent } from '../../shared/events/signed-event.ts';
import { EarlyBuffer } from './early-buffer.ts';
import type { Emitter } from './emitter.ts';
import { decodeLinkMessage, isChainMessage, isFileMessage } from './link-messages.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { RoomMemberLinks } from './room-membership.ts';
import { RoomReceivers } from './room-receivers.ts';
import type { RoomSessionEvents } from './room-session-types.ts';

/** How long what a not-yet-member sent is kept for the chain to catch up with its join. */
const NOT_YET_MEMBER_TTL_MS = 30_000;

export interface RoomInboundOptions {
  roomId: string;
  mesh: Mesh;
  members: RoomMemberLinks;
  /** The session's events: what passes the checks, and what was refused. */
  events: Emitter<RoomSessionEvents>;
}

export class RoomInbound {
  readonly #opts: RoomInboundOptions;
  readonly #events: Emitter<RoomSessionEvents>;
  /** Other devices' chains, and messages that came before the distribution that opens them. */
  readonly #receivers = new RoomReceivers<{ from: MeshMember; message: Uint8Array }>();
  /**
   * Messages from a device whose identity is not (yet) a member: its join
   * entry may still be on its way by another path. Replayed if the chain
   * takes it in soon; forgotten otherwise.
   */
  readonly #beforeMember = new EarlyBuffer<Uint8Array>({
    maxPerKey: 64,
    ttlMs: NOT_YET_MEMBER_TTL_MS,
  });

  constructor(opts: RoomInboundOptions) {
    this.#opts = opts;
    this.#events = opts.events;
  }

  /** Devices that just became members: what they sent before counts now. */
  replayNewMembers(): void {
    for (const peer of this.#opts.mesh.peers()) {
      if (!peer.verified || !this.#opts.members.isMember(peer)) continue;
      for (const bytes of this.#beforeMember.take(peer.deviceId)) this.receive(peer, bytes);
    }
  }

  receive(from: MeshMember, bytes: Uint8Array): void {
    if (isChainMessage(bytes)) return; // room-chain-sync.ts: joiners take part too
    if (!this.#opts.members.isMember(from)) {
      this.#events.emit('rejected', from, 'NOT_MEMBER');
      if (!isFileMessage(bytes)) this.#beforeMember.hold(from.deviceId, bytes);
      return;
    }
    if (isFileMessage(bytes)) return; // files/ handles these
    const msg = decodeLinkMessage(bytes);
    if (!msg) {
      this.#events.emit('rejected', from, 'BAD_MESSAGE');
      return;
    }
    switch (msg.t) {
      case 'senderKey':
        this.#onDistribution(from, msg.distribution);
        return;
      case 'roomEvent':
        this.#onRoomEvent(from, msg.message);
        return;
      case 'ack':
        this.#events.emit('ack', from.deviceId, msg.ids);
        return;
      case 'typing':
        this.#events.emit('typing', from, msg.on);
        return;
      case 'backfillRequest':
        this.#events.emit('backfillRequest', from, msg.since);
        return;
      case 'backfillBatch':
        this.#events.emit('backfillBatch', from, msg.items, msg.more);
        return;
      case 'direct':
      case 'chainHead':
      case 'chainEntries':
        this.#events.emit('rejected', from, 'BAD_MESSAGE');
        return;
    }
  }

  close(): void {
    this.#receivers.close();
    this.#beforeMember.clear();
  }

  #onDistribution(from: MeshMember, bytes: Uint8Array): void {
    const peer = this.#opts.mesh.peerIdentity(from.deviceId);
    if (!peer) {
      this.#events.emit('rejected', from, 'UNVERIFIED_LINK');
      return;
    }
    const verified = verifyDistribution(bytes, { dkPk: peer.dkPk, room: this.#opts.roomId });
    if (!verified.ok) {
      this.#events.emit('rejected', from, 'BAD_DISTRIBUTION');
      return;
    }
    // A device that restarted comes back at a higher epoch (room-epochs.ts): a new receiver.
    for (const waiting of this.#receivers.add(verified.value))
      this.#onRoomEvent(waiting.from, waiting.message);
  }

  #onRoomEvent(from: MeshMember, message: Uint8Array): void {
    const roomId = this.#opts.roomId;
    const peer = this.#opts.mesh.peerIdentity(from.deviceId);
    const header = peekSenderKeyHeader(message);
    if (!peer || !header) {
      this.#events.emit('rejected', from, peer ? 'BAD_MESSAGE' : 'UNVERIFIED_LINK');
      return;
    }
    if (header.room !== roomId) {
      this.#events.emit('rejected', from, 'WRONG_ROOM');
      return;
    }
    if (toB64(header.dkPk) !== toB64(peer.dkPk)) {
      // Over a link, a device only ever sends its own messages.
      this.#events.emit('rejected', from, 'WRONG_SENDER');
      return;
    }
    const receiver = this.#receivers.get(header.dkPk, header.epoch);
    if (!receiver) {
      this.#receivers.hold(header.dkPk, header.epoch, { from, message });
      return;
    }
    const opened = receiver.decrypt(message);
    if (!opened.ok) {
      this.#events.emit('rejected', from, opened.code);
      return;
    }
    let parts: Uint8Array[];
    try {
      parts = unframe(opened.value.plaintext);
    } catch {
      this.#events.emit('rejected', from, 'BAD_MESSAGE');
      return;
    }
    if (parts.length !== 2) {
      this.#events.emit('rejected', from, 'BAD_MESSAGE');
      return;
    }
    const signed: SignedEvent = { bytes: parts[0]!, sig: parts[1]! };
    const checked = verifyEvent(signed, { dkPk: peer.dkPk, ikB64: toB64(peer.ikPk) });
    if (!checked.ok) {
      this.#events.emit('rejected', from, checked.code);
      return;
    }
    if (checked.value.conv !== roomId || checked.value.id !== header.msgId) {
      this.#events.emit('rejected', from, 'WRONG_ROOM');
      return;
    }
    this.#events.emit('event', { event: checked.value, signed, from });
  }
}
