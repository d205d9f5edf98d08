/**
 * This device's sending side of a room (CRYPTO.md "Rooms: sender keys"):
 * one sender-key chain per epoch, its distribution handed to each member
 * device over its verified link once per epoch, and a new epoch — a fresh
 * chain key — when someone stops being a member or the chain has carried
 * enough (shouldRotateEpoch).
 */
import { frame } from '../../shared/crypto/encoding.ts';
import type { SigningKeyPair } from '../../shared/crypto/keys.ts';
import {
  type EpochEvent,
  SenderKeyChain,
  shouldRotateEpoch,
} from '../../shared/crypto/sender-keys.ts';
import type { SignedEvent } from '../../shared/events/signed-event.ts';
import { encodeLinkMessage } from './link-messages.ts';
import type { Mesh } from './mesh.ts';
import type { EpochLedger } from './room-epochs.ts';
import type { RoomMemberLinks } from './room-membership.ts';

export interface RoomSenderKeysOptions {
  roomId: string;
  mesh: Mesh;
  members: RoomMemberLinks;
  dk: SigningKeyPair;
  /** Where a rotation records the epoch it moves to (room-epochs.ts). */
  epochs: EpochLedger | undefined;
  now: () => number;
  /** A new epoch began: its distribution has gone to every member's open link. */
  rotated(epoch: number, reason: EpochEvent | null): void;
}

export class RoomSenderKeys {
  readonly #opts: RoomSenderKeysOptions;
  #chain: SenderKeyChain;
  /** Devices holding the current epoch's distribution (sent over their open link). */
  readonly #distributedTo = new Set<string>();

  constructor(opts: RoomSenderKeysOptions, epoch: number) {
    this.#opts = opts;
    this.#chain = this.#newChain(epoch);
  }

  get epoch(): number {
    return this.#chain.epoch;
  }

  /** The signed event as a sender-key message of the current epoch. */
  encrypt(signed: SignedEvent, meta: { msgId: string; ts: number }): Uint8Array {
    return this.#chain.encrypt(frame(signed.bytes, signed.sig), meta);
  }

  /** A chain that has carried enough messages, or is old enough, gives way to a new epoch. */
  rotateIfDue(): void {
    if (
      shouldRotateEpoch({
        messagesSent: this.#chain.nextIndex,
        epochStartedAtMs: this.#chain.createdAtMs,
        nowMs: this.#opts.now(),
      })
    ) {
      this.rotate(null);
    }
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
    this.distribute();
    this.#opts.rotated(next.epoch, reason);
  }

  /** A new link to the device: it may be a restart that lost our distribution. */
  linkOpened(deviceId: string): void {
    this.#distributedTo.delete(deviceId);
    this.#sendDistribution(deviceId);
  }

  linkClosed(deviceId: string): void {
    this.#distributedTo.delete(deviceId);
  }

  /** The current epoch's distribution to every member device that lacks it. */
  distribute(): void {
    for (const id of this.#opts.members.devices()) this.#sendDistribution(id);
  }

  close(): void {
    this.#chain.close();
  }

  #newChain(epoch: number): SenderKeyChain {
    return SenderKeyChain.create({
      room: this.#opts.roomId,
      epoch,
      dk: this.#opts.dk,
      createdAtMs: this.#opts.now(),
    });
  }

  #sendDistribution(deviceId: string): void {
    const { mesh, members } = this.#opts;
    if (this.#distributedTo.has(deviceId) || !members.selfIsMember()) return;
    const peer = mesh.peers().find((p) => p.deviceId === deviceId);
    if (!peer?.verified || !members.isMember(peer)) return;
    const sent = mesh.send(
      deviceId,
      encodeLinkMessage({ t: 'senderKey', distribution: this.#chain.distribution() }),
    );
    if (sent) this.#distributedTo.add(deviceId);
  }
}
