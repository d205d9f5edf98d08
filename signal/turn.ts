/**
 * ICE servers for clients, with time-limited TURN credentials in the coturn
 * REST API form (use-auth-secret): username = "<expiry unix s>:<user>",
 * credential = base64(HMAC-SHA1(secret, username)). coturn recomputes the
 * HMAC, so the relay and coturn share only the secret.
 * https://github.com/coturn/coturn/blob/master/README.turnserver ("REST API")
 */
import { createHmac } from 'node:crypto';
import type { RelayConfig } from './config.ts';

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

export function turnCredential(
  secret: string,
  user: string,
  ttlSec: number,
  nowMs: number,
): { username: string; credential: string } {
  const expiry = Math.floor(nowMs / 1000) + ttlSec;
  const username = `${expiry}:${user}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}

export function iceServers(config: RelayConfig, nowMs: number): IceServer[] {
  const out: IceServer[] = [];
  if (config.stunUrls.length > 0) out.push({ urls: config.stunUrls });
  if (config.turnSecret && config.turnUrls.length > 0) {
    const cred = turnCredential(config.turnSecret, 'parley', config.turnTtlSec, nowMs);
    out.push({ urls: config.turnUrls, ...cred });
  }
  return out;
}
