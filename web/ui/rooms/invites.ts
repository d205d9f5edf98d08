/**
 * Invites: the code a private room's creation returned is kept for this
 * visit so "Copy invite link" does not mint a new one each time; otherwise
 * an owner or admin asks the relay for a fresh one. A public room needs no
 * code: its link is the room id alone.
 */
import type { ParleyClient } from '../../core/client.ts';
import { inviteLink } from '../app/route.ts';

const known = new Map<string, string>();

export function rememberInvite(roomId: string, invite: string): void {
  known.set(roomId, invite);
}

export async function inviteLinkFor(client: ParleyClient, roomId: string): Promise<string> {
  const cached = known.get(roomId);
  if (cached) return inviteLink(roomId, cached);
  try {
    const invite = await client.createInvite(roomId);
    known.set(roomId, invite);
    return inviteLink(roomId, invite);
  } catch (error) {
    // Members who may not mint invites can still share a public room by its id.
    const publicRoom = (await client.publicRooms().catch(() => [])).some((r) => r.id === roomId);
    if (publicRoom) return inviteLink(roomId, null);
    throw error;
  }
}
