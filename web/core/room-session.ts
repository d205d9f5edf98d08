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
 *
 * This file is the session's surface: sending, acks and typing. The
 * sending chain and its epochs are room-sender-keys.ts; the checks on what
 * arrives room-inbound.ts; which linked devices are members
 * room-membership.ts.
 */
import type { EpochEvent } from '../../shared/crypto/sender-keys.ts';
import type { SignedEvent } from '../../shared/events/signed-event.ts';
import { Emitter } from './emitter.ts';
import { encodeLinkMessage } from './link-messages.ts';
import { RoomInbound } from './room-inbound.ts';
import { RoomMemberLinks, relayMembership } from './room-membership.ts';
import { RoomSenderKeys } from './room-sender-keys.ts';
import type { RoomSessionEvents, RoomSessionOptions } from './room-session-types.ts';

export { type RoomMembership, relayMembership } from './room-membership.ts';
export type {
  ReceivedRoomEvent,
  RoomRejectCode,
  RoomSessionEvents,
  RoomSessionOptions,
} from './room-session-types.ts';

export class RoomSession {
  readonly events = new Emitter<RoomSessionEvents>();
  readonly roomId: string;
  readonly #opts: RoomSessionOptions;
  readonly #offs: Array<() => void>;
  readonly #members: RoomMemberLinks;
  readonly #keys: RoomSenderKeys;
  readonly #inbound: RoomInbound;

  constructor(opts: RoomSessionOptions, epoch = 0) {
    this.#opts = opts;
    this.roomId = opts.roomId;
    const membership = opts.membership ?? relayMembership(opts.presence);
    this.#members = new RoomMemberLinks(opts.mesh, membership);
    this.#keys = new RoomSenderKeys(
      {
        roomId: opts.roomId,
        mesh: opts.mesh,
        members: this.#members,
        dk: opts.me.dk,
        epochs: opts.epochs,
        now: opts.now ?? Date.now,
        rotated: (next, reason) => this.events.emit('rotated', next, reason),
      },
      opts.epochs?.start ?? epoch,
    );
    this.#inbound = new RoomInbound({
      roomId: opts.roomId,
      mesh: opts.mesh,
      members: this.#members,
      events: this.events,
    });
    this.#offs = [
      opts.mesh.events.on('peerOpen', (member) => this.#keys.linkOpened(member.deviceId)),
      opts.mesh.events.on('peerClose', (member) => this.#keys.linkClosed(member.deviceId)),
      opts.mesh.events.on('message', (from, bytes) => this.#inbound.receive(from, bytes)),
      membership.onChange((removed) => {
        if (removed) this.rotate(removed);
        else this.#keys.distribute();
        this.#inbound.replayNewMembers();
      }),
    ];
  }

  get epoch(): number {
    return this.#keys.epoch;
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
    const message = this.#keys.encrypt(signed, meta);
    const wire = encodeLinkMessage({ t: 'roomEvent', message });
    const sentTo = this.#members.devices().filter((id) => this.#opts.mesh.send(id, wire));
    this.#keys.rotateIfDue();
    return { message, sentTo };
  }

  /**
   * Encrypts a signed event again, for one device (an outbox resend after a
   * reload or an epoch change: the old ciphertext may be of a closed chain).
   */
  sendTo(deviceId: string, signed: SignedEvent, meta: { msgId: string; ts: number }): boolean {
    if (!this.#members.devices().includes(deviceId)) return false;
    const message = this.#keys.encrypt(signed, meta);
    return this.#opts.mesh.send(deviceId, encodeLinkMessage({ t: 'roomEvent', message }));
  }

  /** Devices of current members with a verified link now. */
  recipients(): string[] {
    return this.#members.devices();
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
    for (const id of this.#members.devices()) this.#opts.mesh.send(id, wire);
  }

  /**
   * Starts a new epoch (a member left, was kicked or banned, a device was
   * revoked, or the chain is old): a fresh chain key nobody outside the
   * current members' open links ever receives.
   */
  rotate(reason: EpochEvent | null): void {
    this.#keys.rotate(reason);
  }

  close(): void {
    for (const off of this.#offs) off();
    this.#keys.close();
    this.#inbound.close();
    this.events.clear();
  }
}
