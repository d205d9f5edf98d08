/**
 * Being kicked or banned from a room (or leaving it on another device): the
 * engine has already closed the room and dropped it from the sidebar; this
 * says why in a notice and, when that room is on screen, goes home instead
 * of leaving a "not found" page behind.
 */
import type { ParleyClient, RemovalReason, RoomRemoval } from '../../core/client.ts';
import { navigate, route } from '../app/route.ts';
import { ts } from '../app/strings.ts';
import { revealHidden } from '../trust/visible-text.ts';
import { showNotice } from './background-errors.ts';

const MESSAGE_KEYS = {
  kicked: 'shell.removedKicked',
  banned: 'shell.removedBanned',
  left: 'shell.removedLeft',
} as const satisfies Record<RemovalReason, string>;

export function announceRoomRemoval(removal: RoomRemoval): void {
  // The room's name is text from others: it goes in as text, never markup, with
  // bidi controls and invisible characters shown as markers.
  showNotice(
    `removed\n${removal.roomId}`,
    null,
    ts(MESSAGE_KEYS[removal.reason], { room: revealHidden(removal.roomName) }),
  );
  const current = route.value;
  if (current.name === 'room' && current.id === removal.roomId) navigate({ name: 'home' });
}

/** Listens for removals for as long as the shell shows this client; returns the unsubscribe. */
export function announceRoomRemovals(client: ParleyClient): () => void {
  return client.events.on('removed', announceRoomRemoval);
}
