/**
 * Hash routes: `#/room/<id>`, `#/dm/<id>`, `#/join/<roomId>/<invite>` and
 * `#/settings`. The hash keeps everything client-side (the relay serves one
 * page), survives reloads, and an invite link works before sign-in: the
 * route waits until the session is ready.
 */
import { signal } from '@preact/signals';

export type Route =
  | { name: 'home' }
  | { name: 'room'; id: string }
  | { name: 'dm'; id: string }
  | { name: 'join'; roomId: string; invite: string | null }
  | { name: 'settings' };

/** Ids and invites are base64url-ish tokens; anything else is not a route. */
const TOKEN = /^[A-Za-z0-9_.~-]{1,200}$/;

function token(part: string | undefined): string | null {
  if (part === undefined) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(part);
  } catch {
    return null;
  }
  return TOKEN.test(decoded) ? decoded : null;
}

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  const [name, first, second] = parts;
  const id = token(first);
  if (name === 'room' && id) return { name: 'room', id };
  if (name === 'dm' && id) return { name: 'dm', id };
  if (name === 'join' && id) return { name: 'join', roomId: id, invite: token(second) };
  if (name === 'settings') return { name: 'settings' };
  return { name: 'home' };
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'home':
      return '#/';
    case 'room':
      return `#/room/${encodeURIComponent(route.id)}`;
    case 'dm':
      return `#/dm/${encodeURIComponent(route.id)}`;
    case 'join':
      return `#/join/${encodeURIComponent(route.roomId)}${route.invite ? `/${encodeURIComponent(route.invite)}` : ''}`;
    case 'settings':
      return '#/settings';
  }
}

/** The full invite link someone else opens: this origin plus the join route. */
export function inviteLink(roomId: string, invite: string | null): string {
  return `${location.origin}/${formatRoute({ name: 'join', roomId, invite })}`;
}

/** Reads a pasted invite link, a `#/join/…` fragment, or a bare room id. */
export function parseInviteInput(text: string): { roomId: string; invite: string | null } | null {
  const trimmed = text.trim();
  const at = trimmed.indexOf('#');
  if (at >= 0) {
    const route = parseRoute(trimmed.slice(at));
    return route.name === 'join' ? { roomId: route.roomId, invite: route.invite } : null;
  }
  const id = token(trimmed);
  return id ? { roomId: id, invite: null } : null;
}

export const route = signal<Route>({ name: 'home' });

/** The last conversation shown, so closing Settings goes back to it. */
let lastShown: Route = { name: 'home' };

export function initRouting(): void {
  const read = () => {
    route.value = parseRoute(location.hash);
    const r = route.value;
    if (r.name === 'room' || r.name === 'dm' || r.name === 'home') lastShown = r;
  };
  read();
  window.addEventListener('hashchange', read);
}

export function navigate(to: Route, options: { replace?: boolean } = {}): void {
  const hash = formatRoute(to);
  if (options.replace) history.replaceState(null, '', hash);
  else location.hash = hash;
  route.value = parseRoute(hash);
  if (to.name === 'room' || to.name === 'dm' || to.name === 'home') lastShown = to;
}

/** Closing Settings goes back to the conversation (or home) shown before it. */
export function leaveSettings(): void {
  navigate(lastShown);
}
