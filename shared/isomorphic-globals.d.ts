/**
 * The few globals that both browsers and Node ≥ 20 provide, declared here so
 * shared/ can use them without DOM or Node types (either would let code that
 * only works in one runtime type-check).
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array): string;
}
declare const console: {
  log(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
};
declare function queueMicrotask(callback: () => void): void;
declare function setTimeout(handler: () => void, timeoutMs?: number): unknown;
declare function clearTimeout(id: unknown): void;
