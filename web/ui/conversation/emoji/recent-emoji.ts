/**
 * Recently used emoji, newest first, in localStorage (per browser: a
 * convenience, not something to sync or encrypt). Bad or missing storage
 * (private mode, quota, tampered value) reads as "none yet".
 */
const STORAGE_KEY = 'parley.recentEmoji';
export const MAX_RECENT_EMOJI = 24;

export function readRecentEmoji(storage: Pick<Storage, 'getItem'> | undefined): string[] {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((e): e is string => typeof e === 'string' && e.length > 0 && e.length <= 32)
      .slice(0, MAX_RECENT_EMOJI);
  } catch {
    return [];
  }
}

export function rememberEmoji(
  storage: Pick<Storage, 'getItem' | 'setItem'> | undefined,
  emoji: string,
): string[] {
  const next = [emoji, ...readRecentEmoji(storage).filter((e) => e !== emoji)].slice(
    0,
    MAX_RECENT_EMOJI,
  );
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Full or disabled storage: recents just do not persist.
  }
  return next;
}

export function browserStorage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}
