/**
 * A room's end-to-end layer (CRYPTO.md "Rooms: sender keys"): my sender-key
 * chain for the current epoch, handed to each member device over its link;
 * one receiver per (device, epoch) from the distributions they hand us; every
 * event encrypted once and sent over every open link; and on receipt two
 * checks — the sender-key signature (this device sent it, in this room and
 * epoch, never before) and the event's own signature (this device wrote it,
 * for this identity) — before anything reaches history.
 *
 * Trust comes from the links: a distribution is accepted only from the very
 * device whose key it names, over a link whose handshake verified that
 * device under its user's pinned identity key. Who is a member comes from
 * `membership` — in the app the room's signed chain (room-chain.ts), never
 * the relay's list: a device whose identity the chain does not name gets no
 * sender key and is not heard.
 */
import { frame, toB64, unframe } from '../../shared/crypto/encoding.ts';
import type { SigningKeyPair } from '../../shared/crypto/keys.ts';
import {
  type EpochEvent,
  peekSenderKeyHeader,
  SenderKeyChain,
  shouldRotateEpoch,
  verifyDistribution,
} from '../../shared/crypto/sender-keys.ts';
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import { type SignedEvent, verifyEvent } from '../../shared/events/signed-event.ts';
import { EarlyBuffer } from './early-buffer.ts';
import { Emitter } from './emitter.ts';
import {
  decodeLinkMessage,
  encodeLinkMessage,
  isChainMessage,
  isFileMessage,
} from './link-messages.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { EpochLedger } from './room-epochs.ts';
import type { RoomPresence } from './room-presence.ts';
import { RoomReceivers } from './room-receivers.ts';

/** Who may hold the room's keys and be heard; a removal starts a new epoch. */
export interface RoomMembership {
  isMember(peer: { userId: string; ik: string }): boolean;
  /** Nothing is sent while this device's own identity is not a member. */
  selfIsMember(): boolean;
  /** `removed`: someone stopped being a member (rotate). */
  onChange(listener: (removed: EpochEvent | null) => void): () => void;
}

/**
 * The relay's member list as the authority: only for tests of the transport
 * layer below rooms. The app passes the signed chain (room-runtime.ts).
 */
export function relayMembership(presence: RoomPresence): RoomMembership {
  return {
    isMember: (peer) => presence.isMember(peer.userId),
    selfIsMember: () => true,
    onChange: (listener) => presence.events.on('removed', (_users, why) => listener(why)),
  };
}

export interface RoomSessionOptions {
  roomId: string;
  mesh: Mesh;
  /** Relay presence: routing only. */
  presence: RoomPresence;
  /** Who is a member; defaults to the relay's list (transport tests only). */
  membership?: RoomMembership;
  me: { deviceId: string; dk: SigningKeyPair };
  /**
   * This device's epochs in the room across restarts (room-epochs.ts): the
   * session starts at `start`, never at an epoch it used before. Without it
   * the session starts at the constructor's `epoch` (tests of one run).
   */
  epochs?: EpochLedger;
  now?: () => number;
}

/** How long what a not-yet-member sent is kept for the chain to catch up with its join. */
const NOT_YET_MEMBER_TTL_MS = 30_000;

export interface ReceivedRoomEvent {
  event: ChatEvent;
  signed: SignedEvent;
  from: MeshMember;
}

export type RoomRejectCode =
  | 'NOT_MEMBER'
  | 'BAD_MESSAGE'
  | 'WRONG_ROOM'
  | 'WRONG_SENDER'
  | 'BAD_DISTRIBUTION'
  | 'UNVERIFIED_LINK'
  | string;

export type RoomSessionEvents = {
  event: [received: ReceivedRoomEvent];
  /** The device stored these of our events. */
  ack: [deviceId: string, ids: string[]];
  typing: [member: MeshMember, on: boolean];
  /** Something a member sent was refused (for diagnostics; never shown as content). */
  rejected: [member: MeshMember, code: RoomRejectCode];
  /** A member asked for what came after `since` (backfill.ts answers). */
  backfillRequest: [from: MeshMember, since: string];
  backfillBatch: [from: MeshMember, items: Uint8Array, more: boolean];
  /** A new epoch began: its distribution has gone to every member's open link. */
  rotated: [epoch: number, reason: EpochEvent | null];
};

export class RoomSession {
  readonly events = new Emitter<RoomSessionEvents>();
  readonly roomId: string;
  #chain: SenderKeyChain;
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
  readonly #opts: RoomSessionOptions;
  readonly #now: () => number;
  readonly #offs: Array<() => void>;
  readonly #membership: RoomMembership;
  /** Devices holding the current epoch's distribution (sent over their open link). */
  readonly #distributedTo = new Set<string>();

  constructor(opts: RoomSessionOptions, epoch = 0) {
    this.#opts = opts;
    this.roomId = opts.roomId;
    this.#now = opts.now ?? Date.now;
    this.#membership = opts.membership ?? relayMembership(opts.presence);
    this.#chain = this.#newChain(opts.epochs?.start ?? epoch);
    this.#offs = [
      opts.mesh.events.on('peerOpen', (member) => {
        this.#distributedTo.delete(member.deviceId);
        this.#sendDistribution(member.deviceId);
      }),
      opts.mesh.events.on('peerClose', (member) => this.#distributedTo.delete(member.deviceId)),
      opts.mesh.events.on('message', (from, bytes) => this.#onLinkMessage(from, bytes)),
      this.#membership.onChange((removed) => {
        if (removed) this.rotate(removed);
        else for (const id of this.#memberDevices()) this.#sendDistribution(id);
        this.#replayNewMembers();
      }),
    ];
  }

  get epoch(): number {
    return this.#chain.epoch;
  }

  /**
   * Encrypts a signed event with the current chain and sends it over every
   * open link. Returns the sender-key message (what the outbox keeps to
   * resend) and the devices it went to.
   */
  send(
    signed: SignedEvent,
    meta: { msgId: string; ts: number },
  ): { message: Uint8Array; sentTo: string[] } {
    const message = this.#chain.encrypt(frame(signed.bytes, signed.sig), meta);
    const wire = encodeLinkMessage({ t: 'roomEvent', message });
    const sentTo = this.#memberDevices().filter((id) => this.#opts.mesh.send(id, wire));
    if (
      shouldRotateEpoch({
        messagesSent: this.#chain.nextIndex,
        epochStartedAtMs: this.#chain.createdAtMs,
        nowMs: this.#now(),
      })
    ) {
      this.rotate(null);
    }
    return { message, sentTo };
  }

  /**
   * Encrypts a signed event again, for one device (an outbox resend after a
   * reload or an epoch change: the old ciphertext may be of a closed chain).
   */
  sendTo(deviceId: string, signed: SignedEvent, meta: { msgId: string; ts: number }): boolean {
    if (!this.#memberDevices().includes(deviceId)) return false;
    const message = this.#chain.encrypt(frame(signed.bytes, signed.sig), meta);
    return this.#opts.mesh.send(deviceId, encodeLinkMessage({ t: 'roomEvent', message }));
  }

  /** Devices of current members with a verified link now. */
  recipients(): string[] {
    return this.#memberDevices();
  }

  /** Resends an earlier sender-key message to one device (outbox retry). */
  resend(deviceId: string, message: Uint8Array): boolean {
    return this.#opts.mesh.send(deviceId, encodeLinkMessage({ t: 'roomEvent', message }));
  }

  ack(deviceId: string, ids: string[]): boolean {
    return this.#opts.mesh.send(deviceId, encodeLinkMessage({ t: 'ack', ids }));
  }

  typing(on: boolean): void {
    const wire = encodeLinkMessage({ t: 'typing', on });
    for (const id of this.#memberDevices()) this.#opts.mesh.send(id, wire);
  }

  /**
   * Starts a new epoch (a member left, was kicked or banned, a device was
   * revoked, or the chain is old): a fresh chain key nobody outside the
   * current members' open links ever receives.
   */
  rotate(reason: EpochEvent | null): void {
    const next = this.#newChain(this.#chain.epoch + 1);
    this.#opts.epochs?.use(next.epoch);
    this.#chain.close();
    this.#chain = next;
    this.#distributedTo.clear();
    for (const id of this.#memberDevices()) this.#sendDistribution(id);
    this.events.emit('rotated', next.epoch, reason);
  }

  close(): void {
    for (const off of this.#offs) off();
    this.#chain.close();
    this.#receivers.close();
    this.#beforeMember.clear();
    this.events.clear();
  }

  /** Devices with a verified link whose identity is a member now (none while we are not). */
  #memberDevices(): string[] {
    if (!this.#membership.selfIsMember()) return [];
    return this.#opts.mesh
      .peers()
      .filter((p) => p.verified && this.#isMember(p))
      .map((p) => p.deviceId);
  }

  #isMember(member: MeshMember): boolean {
    const peer = this.#opts.mesh.peerIdentity(member.deviceId);
    return this.#membership.isMember({
      userId: member.userId,
      ik: peer ? toB64(peer.ikPk) : '',
    });
  }

  /** Devices that just became members: what they sent before counts now. */
  #replayNewMembers(): void {
    for (const peer of this.#opts.mesh.peers()) {
      if (!peer.verified || !this.#isMember(peer)) continue;
      for (const bytes of this.#beforeMember.take(peer.deviceId)) this.#onLinkMessage(peer, bytes);
    }
  }

  #newChain(epoch: number): SenderKeyChain {
    return SenderKeyChain.create({
      room: this.roomId,
      epoch,
      dk: this.#opts.me.dk,
      createdAtMs: this.#now(),
    });
  }

  #sendDistribution(deviceId: string): void {
    if (this.#distributedTo.has(deviceId) || !this.#membership.selfIsMember()) return;
    const peer = this.#opts.mesh.peers().find((p) => p.deviceId === deviceId);
    if (!peer?.verified || !this.#isMember(peer)) return;
    const sent = this.#opts.mesh.send(
      deviceId,
      encodeLinkMessage({ t: 'senderKey', distribution: this.#chain.distribution() }),
    );
    if (sent) this.#distributedTo.add(deviceId);
  }

  #onLinkMessage(from: MeshMember, bytes: Uint8Array): void {
    if (isChainMessage(bytes)) return; // room-chain-sync.ts: joiners take part too
    if (!this.#isMember(from)) {
      this.events.emit('rejected', from, 'NOT_MEMBER');
      if (!isFileMessage(bytes)) this.#beforeMember.hold(from.deviceId, bytes);
      return;
    }
    if (isFileMessage(bytes)) return; // files/ handles these
    const msg = decodeLinkMessage(bytes);
    if (!msg) {
      this.events.emit('rejected', from, 'BAD_MESSAGE');
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
        this.events.emit('ack', from.deviceId, msg.ids);
        return;
      case 'typing':
        this.events.emit('typing', from, msg.on);
        return;
      case 'backfillRequest':
        this.events.emit('backfillRequest', from, msg.since);
        return;
      case 'backfillBatch':
        this.events.emit('backfillBatch', from, msg.items, msg.more);
        return;
      case 'direct':
      case 'chainHead':
      case 'chainEntries':
        this.events.emit('rejected', from, 'BAD_MESSAGE');
        return;
    }
  }

  #onDistribution(from: MeshMember, bytes: Uint8Array): void {
    const peer = this.#opts.mesh.peerIdentity(from.deviceId);
    if (!peer) {
      this.events.emit('rejected', from, 'UNVERIFIED_LINK');
      return;
    }
    const verified = verifyDistribution(bytes, { dkPk: peer.dkPk, room: this.roomId });
    if (!verified.ok) {
      this.events.emit('rejected', from, 'BAD_DISTRIBUTION');
      return;
    }
    // A device that restarted comes back at a higher epoch (room-epochs.ts): a new receiver.
    for (const waiting of this.#receivers.add(verified.value))
      this.#onRoomEvent(waiting.from, waiting.message);
  }

  #onRoomEvent(from: MeshMember, message: Uint8Array): void {
    const peer = this.#opts.mesh.peerIdentity(from.deviceId);
    const header = peekSenderKeyHeader(message);
    if (!peer || !header) {
      this.events.emit('rejected', from, peer ? 'BAD_MESSAGE' : 'UNVERIFIED_LINK');
      return;
    }
    if (header.room !== this.roomId) {
      this.events.emit('rejected', from, 'WRONG_ROOM');
      return;
    }
    if (toB64(header.dkPk) !== toB64(peer.dkPk)) {
      // Over a link, a device only ever sends its own messages.
      this.events.emit('rejected', from, 'WRONG_SENDER');
      return;
    }
    const receiver = this.#receivers.get(header.dkPk, header.epoch);
    if (!receiver) {
      this.#receivers.hold(header.dkPk, header.epoch, { from, message });
      return;
    }
    const opened = receiver.decrypt(message);
    if (!opened.ok) {
      this.events.emit('rejected', from, opened.code);
      return;
    }
    let parts: Uint8Array[];
    try {
      parts = unframe(opened.value.plaintext);
    } catch {
      this.events.emit('rejected', from, 'BAD_MESSAGE');
      return;
    }
    if (parts.length !== 2) {
      this.events.emit('rejected', from, 'BAD_MESSAGE');
      return;
    }
    const signed: SignedEvent = { bytes: parts[0]!, sig: parts[1]! };
    const checked = verifyEvent(signed, { dkPk: peer.dkPk, ikB64: toB64(peer.ikPk) });
    if (!checked.ok) {
      this.events.emit('rejected', from, checked.code);
      return;
    }
    if (checked.value.conv !== this.roomId || checked.value.id !== header.msgId) {
      this.events.emit('rejected', from, 'WRONG_ROOM');
      return;
    }
    this.events.emit('event', { event: checked.value, signed, from });
  }
}
