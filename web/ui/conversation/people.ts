/**
 * Who is who in a conversation, for display: author names for identity
 * keys, which messages are mine, and whether I may delete others' messages.
 *
 * The engine does not (yet) expose this device's identity key to the UI, so
 * it is learned from a message this device sent (those carry `local` send
 * state, and their authorIk is ours); until then, "mine" is `local !== null`.
 * Names come from the trust store's pins (every member we linked to), the DM
 * partner, and the relay session for ourselves.
 */
import type { ParleyClient } from '../../core/client.ts';
import type { MessageView } from '../../core/history/message-view.ts';
import { tc } from './strings.ts';

export interface People {
  myIk: string | undefined;
  myUsername: string | undefined;
  /** Room owner or admin: may delete anyone's message (contract). */
  canModerate: boolean;
  /** `device` (the message's authorDevice) helps while the author has no pin yet. */
  nameOf(ik: string, device?: string): string;
  isMine(message: MessageView): boolean;
}

/** Learned from our own sent messages (authoritative). */
const knownIk = new WeakMap<ParleyClient, string>();
/** From the relay's directory: a fallback until a sent message tells us. */
const directoryIk = new WeakMap<ParleyClient, string>();
const knownUsername = new WeakMap<ParleyClient, string>();

function learnMyIk(client: ParleyClient, messages: readonly MessageView[]): string | undefined {
  const cached = knownIk.get(client);
  if (cached) return cached;
  let found = messages.find((m) => m.local !== null)?.authorIk;
  if (!found) {
    for (const summary of client.conversations.value) {
      const other = client.conversation(summary.convId)?.messages.peek();
      found = other?.find((m) => m.local !== null)?.authorIk;
      if (found) break;
    }
  }
  if (found) knownIk.set(client, found);
  return found ?? directoryIk.get(client);
}

function learnMyUsername(client: ParleyClient, convId: string): string | undefined {
  const live = client.relay.session?.username;
  if (live) knownUsername.set(client, live);
  return (
    live ??
    knownUsername.get(client) ??
    client.room(convId)?.members.value.find((m) => m.isMe)?.username
  );
}

/**
 * Reads signals (messages, room members, conversation list), so a component
 * calling it re-renders when they change.
 */
export function peopleOf(
  client: ParleyClient,
  convId: string,
  messages: readonly MessageView[],
): People {
  const myIk = learnMyIk(client, messages);
  const myUsername = learnMyUsername(client, convId);
  const members = client.room(convId)?.members.value ?? [];
  const me = members.find((m) => m.isMe);
  const canModerate = me?.role === 'owner' || me?.role === 'admin';
  const partner = client.dm(convId)?.partner;
  const names = new Map<string, string>();
  const nameOf = (ik: string, device?: string): string => {
    const hit = names.get(ik);
    if (hit) return hit;
    let name: string | undefined;
    if (ik === myIk) name = myUsername;
    if (!name) {
      const userId = client.trust.userIdForIk(ik);
      name = userId ? client.trust.get(userId)?.username : undefined;
    }
    if (!name && partner && ik !== myIk) name = partner.username;
    if (!name && device) {
      // Not pinned yet, but linked: the mesh knows whose device it is.
      const userId = client
        .room(convId)
        ?.mesh.peers()
        .find((p) => p.deviceId === device)?.userId;
      name = members.find((m) => m.userId === userId)?.username;
    }
    if (!name) return tc('conv.unknownAuthor', { id: ik.slice(0, 6) });
    names.set(ik, name);
    return name;
  };
  return {
    myIk,
    myUsername,
    canModerate,
    nameOf,
    isMine: (m) => m.local !== null || (myIk !== undefined && m.authorIk === myIk),
  };
}

/**
 * Asks the relay's directory for our own identity key when no message has
 * told us yet. Only used to mark "mine" (reactions, my messages from other
 * devices): a relay lying here can only mislabel our own view.
 */
export async function fetchMyIk(client: ParleyClient): Promise<string | undefined> {
  const cached = knownIk.get(client) ?? directoryIk.get(client);
  if (cached) return cached;
  const session = client.relay.session;
  if (!session) return undefined;
  try {
    const keys = await client.relay.call({ t: 'keys.get', userId: session.userId }, 'keys');
    directoryIk.set(client, keys.ik);
    knownUsername.set(client, session.username);
    return keys.ik;
  } catch {
    return undefined;
  }
}
