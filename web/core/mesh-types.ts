/**
 * The shapes a mesh (mesh.ts) is built from and reports in: its options,
 * the member devices it links to, how each link stands, and its events.
 * Kept apart so the files the mesh is split into (mesh-peer.ts,
 * mesh-inbound.ts) share them without importing the mesh itself.
 */
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import type { RelayClient } from './relay-client.ts';
import type { PathKind } from './transport/transport.ts';
import type { TrustStore } from './trust.ts';

export interface MeshMember {
  deviceId: string;
  userId: string;
  username: string;
}

/** How an engine's meshes connect (the engine's options; engine-context.ts). */
export interface MeshSettings {
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** false: this client has no WebRTC; every link uses the relay path. */
  webrtc: boolean;
  /** Node: node-datachannel's W3C API; browsers use their own. */
  wrtc?: object;
  cap?: number;
  connectTimeoutMs?: number;
}

export interface MeshOptions extends MeshSettings {
  /** Room id or DM conversation id; bound into every link's handshake. */
  context: string;
  relay: RelayClient;
  me: { deviceId: string; userId: string; dk: SigningKeyPair; cert: DeviceCert };
  trust: TrustStore;
  handshakeTimeoutMs?: number;
  retryDelayMs?: number;
  /** First try at moving a relay-path link to a data channel (doubles per failure). */
  upgradeDelayMs?: number;
  /** How long such a try may take to connect. */
  upgradeConnectTimeoutMs?: number;
}

export type PeerPath = PathKind | 'connecting';

export interface PeerReport extends MeshMember {
  path: PeerPath;
  /** The link handshake verified this device under the user's pinned key. */
  verified: boolean;
}

export type MeshEvents = {
  message: [from: MeshMember, plaintext: Uint8Array];
  /** A verified link to this device opened (a good moment to resend what it missed). */
  peerOpen: [member: MeshMember, path: PathKind];
  peerClose: [member: MeshMember];
  /** The device proved an identity key other than the one pinned for its user. */
  identityMismatch: [member: MeshMember, presentedIk: Uint8Array];
  /** Anything in peers() changed. */
  change: [];
  /** The link to this device drained below its low-water mark (file transfers resume). */
  drain: [deviceId: string];
  /** A device announced itself (see HERE); the conversation layer decides if it belongs. */
  here: [deviceId: string, userId: string];
};
