/** The engine's WebSocket factory for Node: the `ws` client (same API as browsers'). */
import WebSocket from 'ws';
import type { WebSocketFactory, WebSocketLike } from '../../web/core/relay-client.ts';

export const nodeSocket: WebSocketFactory = (url) => new WebSocket(url) as unknown as WebSocketLike;
