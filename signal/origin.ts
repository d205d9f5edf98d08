/**
 * Which origin a login signature must name, and which browser origins may
 * open /ws.
 *
 * The origin binding (CRYPTO.md "Relay login") stops a malicious relay from
 * passing our challenge to a user, getting it signed for *its* origin, and
 * replaying the answer here. That only works if the origin we check is ours,
 * not one the connecting socket names: a raw client chooses its Host header.
 * So: with --public-url, that origin and nothing else. Without it, the Host
 * header is used only when it names this relay — a loopback name, the bind
 * address, or (bound to a wildcard) a local interface address or the
 * machine's hostname — with our port. Anything else falls back to the
 * canonical local origin, against which a signature made elsewhere fails.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import type { RelayConfig } from './config.ts';

export interface OriginPolicy {
  /** The origin a socket opened with this request must sign. */
  signingOrigin(req: IncomingMessage): string;
  /** May a browser page from this Origin open a socket? */
  originAllowed(req: IncomingMessage): boolean;
  /** The origin a client reaching us at `url` signs. */
  readonly canonical: string;
}

function hostPart(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** host:port values that name this relay. */
function ownHosts(config: RelayConfig, port: number): Set<string> {
  const names = new Set<string>(['127.0.0.1', 'localhost', '[::1]']);
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  if (!wildcard) names.add(hostPart(config.host));
  else {
    names.add(hostname());
    names.add(`${hostname()}.local`);
    for (const list of Object.values(networkInterfaces())) {
      for (const iface of list ?? []) names.add(hostPart(iface.address));
    }
  }
  return new Set([...names].map((n) => `${n.toLowerCase()}:${port}`));
}

export function originPolicy(
  config: RelayConfig,
  port: number,
  canonicalUrl: string,
): OriginPolicy {
  if (config.publicUrl) {
    const publicOrigin = new URL(config.publicUrl).origin;
    return {
      canonical: publicOrigin,
      signingOrigin: () => publicOrigin,
      originAllowed: (req) => {
        const origin = req.headers.origin;
        return (
          origin === undefined || origin === publicOrigin || config.allowedOrigins.includes(origin)
        );
      },
    };
  }
  const hosts = ownHosts(config, port);
  const canonical = new URL(canonicalUrl).origin;
  const ownHost = (req: IncomingMessage): string | null => {
    const host = req.headers.host?.toLowerCase();
    return host !== undefined && hosts.has(host) ? host : null;
  };
  return {
    canonical,
    signingOrigin: (req) => {
      const host = ownHost(req);
      return host ? `http://${host}` : canonical;
    },
    originAllowed: (req) => {
      // Browsers always send Origin on an upgrade; none means a non-browser
      // client, which has no ambient credentials for a page to abuse.
      const origin = req.headers.origin;
      if (origin === undefined || config.allowedOrigins.includes(origin)) return true;
      const host = ownHost(req);
      return host !== null && (origin === `http://${host}` || origin === `https://${host}`);
    },
  };
}
