/**
 * An async action behind a button: `busy` while it runs (the button shows
 * progress and cannot fire twice), `error` when it failed. The error stays
 * a value for errorMessage() to put in words.
 */
import { useCallback, useRef, useState } from 'preact/hooks';

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<void>;
  busy: boolean;
  error: unknown;
  clearError: () => void;
}

export function useAction<A extends unknown[]>(work: (...args: A) => Promise<void>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = useRef(false);
  const latest = useRef(work);
  latest.current = work;
  const run = useCallback(async (...args: A) => {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await latest.current(...args);
    } catch (caught) {
      setError(caught ?? new Error('failed'));
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clearError: () => setError(null) };
}
