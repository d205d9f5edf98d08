/**
 * Membership operations as chain entries (the client facade's createRoom,
 * joinRoom, createInvite, kick, ban, unban, setRole and setRoomHistory call
 * these before or after the relay): invite codes that carry a chain invite
 * secret, and moderation entries about a user named by their pinned key.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import { randomBytes } from '../../shared/crypto/random.ts';
import { inviteHash } from '../../shared/events/membership-chain.ts';
import type { MembershipOp } from '../../shared/events/membership-schema.ts';
import { checkKeys } from './directory.ts';
import type { RelayClient } from './relay-client.ts';
import { MembershipError, type RoomChain } from './room-chain.ts';
import type { TrustStore } from './trust.ts';

export const ROOM_ADMIN_DEFAULTS = {
  /** How long joinRoom waits for an online member to hand over the chain and take our join. */
  joinWaitMs: 10_000,
  /** A chain invite (the secret half of an invite code) is valid this long. */
  inviteTtlMs: 7 * 86_400_000,
} as const;

/** Between the relay's invite code and the chain's invite secret in an invite code. */
const INVITE_SEPARATOR = '.';

/** Publishes a fresh invite secret's hash in the chain; the code carries the secret. */
export function chainInvite(chain: RoomChain, relayInvite: string, nowMs = Date.now()): string {
  const secret = randomBytes(32);
  const written = chain.append({
    op: 'invite',
    inviteHash: inviteHash(secret),
    expiresTs: nowMs + ROOM_ADMIN_DEFAULTS.inviteTtlMs,
  });
  if (!written.ok) throw new MembershipError(written.code);
  return `${relayInvite}${INVITE_SEPARATOR}${toB64(secret)}`;
}

/** An invite code's two halves: the relay's code, and the chain secret (null if absent). */
export function splitInvite(invite: string | undefined): [string | undefined, string | null] {
  if (!invite) return [undefined, null];
  const at = invite.indexOf(INVITE_SEPARATOR);
  return at < 0 ? [invite, null] : [invite.slice(0, at), invite.slice(at + 1) || null];
}

/** A user's identity key: our pin, else the directory's answer checked against pins. */
export async function identityOf(
  relay: RelayClient,
  trust: TrustStore,
  userId: string,
): Promise<string> {
  const pinned = trust.get(userId);
  if (pinned) return pinned.ik;
  const entry = await checkKeys(await relay.call({ t: 'keys.get', userId }, 'keys'), trust);
  if (entry.state !== 'trusted') throw new MembershipError('CHAIN_UNKNOWN_USER');
  return toB64(entry.ik);
}

/** Signs an entry into the chain and waits for it to be on disk; throws MembershipError if refused. */
export async function writeEntry(chain: RoomChain, op: MembershipOp): Promise<void> {
  const written = chain.append(op);
  if (!written.ok) throw new MembershipError(written.code);
  await chain.flush();
}
