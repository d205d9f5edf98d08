/**
 * The socket under the relay client: the browser's WebSocket or `ws` in Node
 * (the same API), what its close codes mean for reconnecting, and the origin
 * a login signature is bound to.
 */
import { CLOSE_CODES } from '../../shared/protocol/errors.ts';

/** The browser's WebSocket, or `ws` in Node (same API). */
export type WebSocketLike = {
  binaryType: string;
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
};
export type WebSocketFactory = (url: string) => WebSocketLike;

export const SOCKET_OPEN = 1;

/** Close codes after which reconnecting is pointless (shared/protocol CLOSE_CODES). */
export const FINAL_CLOSE_CODES = new Map<number, 'REPLACED' | 'VERSION_MISMATCH'>([
  [CLOSE_CODES.replaced, 'REPLACED'],
  [CLOSE_CODES.versionMismatch, 'VERSION_MISMATCH'],
]);

/**
 * The origin a login signature is bound to: the relay's own http(s) origin,
 * so a signature made for one relay is useless at another.
 */
export function relayOriginOf(wsUrl: string): string {
  const url = new URL(wsUrl);
  const scheme = url.protocol === 'wss:' ? 'https:' : 'http:';
  return `${scheme}//${url.host}`;
}
