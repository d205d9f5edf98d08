/** Where find looks: the loaded messages, and the history on disk when available. */

import { compareEvents } from '../../../../shared/events/ordering.ts';
import type { HistoryStore } from '../../../core/history/history-store.ts';
import type { MessageView } from '../../../core/history/message-view.ts';

export const FIND_LIMIT = 200;

export interface FindSource {
  convId: string;
  loaded: () => readonly MessageView[];
  history?: Pick<HistoryStore, 'find'> | undefined;
}

/** Messages (not deleted) whose text contains the query, ignoring case; newest first. */
export function matchLoaded(messages: readonly MessageView[], query: string): MessageView[] {
  const needle = query.trim().toLowerCase();
  if (!needle) return [];
  const out: MessageView[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.deleted === null && m.text.toLowerCase().includes(needle)) out.push(m);
  }
  return out;
}

export async function findMatches(source: FindSource, query: string): Promise<MessageView[]> {
  const local = matchLoaded(source.loaded(), query);
  if (!source.history) return local.slice(0, FIND_LIMIT);
  const stored = await source.history.find(source.convId, query.trim(), { limit: FIND_LIMIT });
  // The window is newer than disk for messages still being stored: union by id.
  const byId = new Map(stored.map((m) => [m.id, m]));
  for (const m of local) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => compareEvents(b, a)).slice(0, FIND_LIMIT);
}
