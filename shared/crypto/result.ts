/**
 * Crypto operations that can fail on input from outside (a blob from the
 * relay, a message from a peer) return a value, never throw: the caller maps
 * the stable `code` to words in the UI, and a bad input can never crash the
 * process that handles it (STYLE.md "errors are values with codes").
 */
export type Result<T, Code extends string> = { ok: true; value: T } | { ok: false; code: Code };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<Code extends string>(code: Code): { ok: false; code: Code } {
  return { ok: false, code };
}
