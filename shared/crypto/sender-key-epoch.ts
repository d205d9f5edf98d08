/**
 * When a device starts a new sender-key epoch in a room (CRYPTO.md "Rooms:
 * sender keys"): on any departure — the departed member holds the current
 * chain key and must not read what follows — and periodically, so one leaked
 * chain key exposes a bounded window.
 */
import { SENDER_KEYS } from './constants.ts';

/** Membership events that end an epoch at once. A join does not: chain keys only move forward. */
export type EpochEvent = 'leave' | 'kick' | 'ban' | 'device-revoked';

const ROTATING_EVENTS: ReadonlySet<string> = new Set<EpochEvent>([
  'leave',
  'kick',
  'ban',
  'device-revoked',
]);

export interface EpochStatus {
  /** Messages this device sent in the current epoch. */
  messagesSent: number;
  epochStartedAtMs: number;
  nowMs: number;
  /** A membership event that just happened in the room, if any. */
  event?: EpochEvent | 'join' | null;
}

export function shouldRotateEpoch(status: EpochStatus): boolean {
  if (status.event && ROTATING_EVENTS.has(status.event)) return true;
  if (status.messagesSent >= SENDER_KEYS.rotateAfterMessages) return true;
  return status.nowMs - status.epochStartedAtMs >= SENDER_KEYS.rotateAfterMs;
}
