/**
 * Plain HTTP: health (/livez, /readyz), /metrics when enabled, /config for
 * clients, and the static web app. Every response carries the strict CSP
 * and hardening headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION } from '../shared/protocol/version.ts';
import type { RelayContext } from './context.ts';
import { serveStatic } from './static-files.ts';
import { iceServers } from './turn.ts';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
    "img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; " +
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
    "form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export interface HttpState {
  draining: boolean;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  res.end(JSON.stringify(body));
}

export async function handleHttp(
  ctx: RelayContext,
  state: HttpState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...SECURITY_HEADERS, Allow: 'GET, HEAD' }).end();
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/livez':
      json(res, 200, { ok: true });
      return;
    case '/readyz':
      json(res, state.draining ? 503 : 200, { ok: !state.draining });
      return;
    case '/metrics': {
      if (!ctx.metrics.enabled) break;
      const text = await ctx.metrics.render();
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': ctx.metrics.contentType });
      res.end(text);
      return;
    }
    case '/config':
      json(res, 200, {
        relay: ctx.relayVersion,
        protocol: PROTOCOL_VERSION,
        iceServers: iceServers(ctx.config, Date.now()),
        limits: ctx.limits,
      });
      return;
    default:
      break;
  }
  await serveStatic(ctx.config.webDir, req, res, SECURITY_HEADERS);
}
