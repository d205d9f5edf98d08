/**
 * WebRTC for Node (tests, bots, a terminal client): node-datachannel's W3C
 * polyfill, adapted for simple-peer. simple-peer assigns to the description
 * returned by createOffer/createAnswer (`offer.sdp = …`), which fails on the
 * polyfill's getter-only RTCSessionDescription ("Cannot set property sdp …
 * only a getter", FINDINGS.md); returning plain `{type, sdp}` objects fixes it.
 */
import { PeerConnection } from 'node-datachannel';
import {
  RTCPeerConnection as NdcPeerConnection,
  RTCIceCandidate,
  RTCSessionDescription,
} from 'node-datachannel/polyfill';

type Description = { type: RTCSdpType; sdp: string };

/**
 * libdatachannel takes TURN credentials inside the URL
 * (`turn:user:pass@host:port`) and URL-decodes them; the polyfill embeds them
 * raw, which breaks on TURN REST usernames (`expiry:user`, a colon) and base64
 * credentials (`/`, `+`, `=`). So we build the native connection ourselves.
 */
function nativeIceServers(servers: RTCIceServer[] = []): string[] {
  return servers.flatMap((server) => {
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls];
    return urls.map((url) => {
      if (!server.username || typeof server.credential !== 'string') return url;
      const colon = url.indexOf(':');
      const user = encodeURIComponent(server.username);
      const pass = encodeURIComponent(server.credential);
      return `${url.slice(0, colon)}:${user}:${pass}@${url.slice(colon + 1)}`;
    });
  });
}

let connectionCounter = 0;

class PlainDescriptionPeerConnection extends NdcPeerConnection {
  constructor(config: RTCConfiguration = {}) {
    const peerConnection = new PeerConnection(`parley-${++connectionCounter}`, {
      iceServers: nativeIceServers(config.iceServers),
      iceTransportPolicy: config.iceTransportPolicy === 'relay' ? 'relay' : 'all',
    });
    super({ ...config, peerConnection } as RTCConfiguration);
  }

  override async createOffer(...args: unknown[]): Promise<Description> {
    const d = await (super.createOffer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>)(
      ...args,
    );
    return { type: d.type, sdp: d.sdp ?? '' };
  }

  override async createAnswer(...args: unknown[]): Promise<Description> {
    const d = await (super.createAnswer as (...a: unknown[]) => Promise<RTCSessionDescriptionInit>)(
      ...args,
    );
    return { type: d.type, sdp: d.sdp ?? '' };
  }
}

export const nodeWrtc = {
  RTCPeerConnection: PlainDescriptionPeerConnection,
  RTCSessionDescription,
  RTCIceCandidate,
};
