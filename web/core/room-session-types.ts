/**
 * The shapes a room session (room-session.ts) is built from and reports in:
 * its options, what it hands up, why it refused something, and its events.
 * Kept apart so the files the session is split into (room-inbound.ts,
 * room-sender-keys.ts) share them without importing the session itself.
 */
import type { SigningKeyPair } from '../../shared/crypto/keys.ts';
import type { EpochEvent } from '../../shared/crypto/sender-keys.ts';
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import type { SignedEvent } from '../../shared/events/signed-event.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { EpochLedger } from './room-epochs.ts';
import type { RoomMembership } from './room-membership.ts';
import type { RoomPresence } from './room-presence.ts';

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
