/**
 * WebRTC for Node (tests, bots, a terminal client): node-datachannel's W3C
 * polyfill, adapted for simple-peer. simple-peer assigns to the description
 * returned by createOffer/createAnswer (`offer.sdp = …`), which fails on the
 * polyfill's getter-only RTCSessionDescription ("Cannot set property sdp …
 * only a getter", FINDINGS.md); returning plain `{type, sdp}` objects fixes it.
 */
import {
  RTCIceCandidate,
  RTCPeerConnection as NdcPeerConnection,
  RTCSessionDescription,
} from 'node-datachannel/polyfill';

type Description = { type: RTCSdpType; sdp: string };

class PlainDescriptionPeerConnection extends NdcPeerConnection {
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
