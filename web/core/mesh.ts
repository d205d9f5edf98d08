/**
 * One conversation's links (ARCHITECTURE.md "Mesh"): a link to every online
 * member device, direct over WebRTC where the topology says so
 * (mesh-topology.ts), else — or when a data channel does not connect in time
 * or fails — over the relay. The lower device id initiates both the WebRTC
 * offer and the link handshake, so two devices never race each other.
 *
 * Every attempt at a link has a random id carried in its signals and relay
 * frames; a peer that restarts its side (reload, network change) is seen as a
 * new attempt and replaces the old link, so there are never two links, or a
 * ghost one, to the same device.
 */

import { toB64 } from '../../shared/crypto/encoding.ts';
import type { HandshakePeer } from '../../shared/crypto/handshake.ts';
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import { randomBytes } from '../../shared/crypto/random.ts';
import { EarlyBuffer } from './early-buffer.ts';
import { Emitter } from './emitter.ts';
import { Link } from './link.ts';
import { DECLINE, HERE, type SignalEnvelope, signalData } from './mesh-signals.ts';
import { DEFAULT_MESH_CAP, initiates, isDirectPair } from './mesh-topology.ts';
import type { RelayClient } from './relay-client.ts';
import { type PeerSignal, PeerTransport } from './transport/peer-transport.ts';
import { RelayTransport } from './transport/relay-transport.ts';
import type { PathKind } from './transport/transport.ts';
import type { TrustStore } from './trust.ts';

export const MESH_DEFAULTS = {
  cap: DEFAULT_MESH_CAP,
  /** A data channel not open by then falls back to the relay path. */
  connectTimeoutMs: 8_000,
  /** After a link closes, wait this long before trying that device again. */
  retryDelayMs: 1_000,
  /** Stop trying WebRTC with a device after this many failures; the relay path stays. */
  maxDirectFailures: 2,
} as const;

export interface MeshMember {
  deviceId: string;
  userId: string;
  username: string;
}

export interface MeshOptions {
  /** Room id or DM conversation id; bound into every link's handshake. */
  context: string;
  relay: RelayClient;
  me: { deviceId: string; userId: string; dk: SigningKeyPair; cert: DeviceCert };
  trust: TrustStore;
  iceServers: RTCIceServer[];
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** false: this client has no WebRTC; every link uses the relay path. */
  webrtc: boolean;
  /** Node: node-datachannel's W3C API; browsers use their own. */
  wrtc?: object;
  cap?: number;
  connectTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  retryDelayMs?: number;
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

type PeerState = {
  member: MeshMember;
  attempt: string;
  transport: PeerTransport | RelayTransport | null;
  link: Link | null;
  /** The link's identity is pinned and peerOpen went out: ready for traffic. */
  ready: boolean;
  /** Frames that arrived between the handshake and the pin (bounded). */
  early: Uint8Array[];
  directFailures: number;
  retryTimer: ReturnType<typeof setTimeout> | null;
};

/** What a peer may send between its handshake and our pin before we stop listening. */
const MAX_EARLY_FRAMES = 256;

export class Mesh {
  readonly events = new Emitter<MeshEvents>();
  readonly context: string;
  readonly #opts: MeshOptions;
  readonly #online = new Map<string, MeshMember>();
  readonly #peers = new Map<string, PeerState>();
  /** Signals and frames from devices presence has not announced yet. */
  readonly #early = new EarlyBuffer<() => void>();
  #closed = false;

  constructor(opts: MeshOptions) {
    this.#opts = opts;
    this.context = opts.context;
  }

  /** Replaces the set of online member devices (our own device is ignored). */
  setOnline(members: MeshMember[]): void {
    const next = new Map(
      members.filter((m) => m.deviceId !== this.#opts.me.deviceId).map((m) => [m.deviceId, m]),
    );
    for (const id of [...this.#online.keys()]) if (!next.has(id)) this.memberOffline(id);
    // The whole set first: the direct-or-relay choice depends on all of it.
    for (const m of next.values()) this.#online.set(m.deviceId, m);
    for (const m of next.values()) this.memberOnline(m);
  }

  memberOnline(member: MeshMember): void {
    if (this.#closed || member.deviceId === this.#opts.me.deviceId) return;
    this.#online.set(member.deviceId, member);
    this.#ensure(member.deviceId);
    for (const replay of this.#early.take(member.deviceId)) replay();
  }

  /**
   * The relay says the device went away. Presence only decides whom we try
   * to reach: an open direct link stays until it closes by itself (the relay
   * may be the one in trouble — links keep delivering through its restarts).
   */
  memberOffline(deviceId: string): void {
    this.#online.delete(deviceId);
    const peer = this.#peers.get(deviceId);
    if (!peer) return;
    if (peer.link?.isOpen && peer.link.path !== 'relay') return;
    this.#peers.delete(deviceId);
    this.#teardown(peer);
    this.events.emit('change');
  }

  /**
   * The device's user is no longer a member: close its link whatever its
   * state (unlike going offline, where a healthy direct link is kept).
   */
  remove(deviceId: string): void {
    this.#online.delete(deviceId);
    const peer = this.#peers.get(deviceId);
    if (!peer) return;
    this.#peers.delete(deviceId);
    this.#teardown(peer);
    this.events.emit('change');
  }

  /** Sends over the link to one device; false when there is no open link. */
  send(deviceId: string, plaintext: Uint8Array): boolean {
    return this.#peers.get(deviceId)?.link?.send(plaintext) ?? false;
  }

  /** Bytes queued on the link to this device and not yet on the network (0 on the relay path). */
  bufferedAmount(deviceId: string): number {
    return this.#peers.get(deviceId)?.link?.bufferedAmount ?? 0;
  }

  /** The path of the ready link to this device, or null when there is none. */
  pathTo(deviceId: string): PathKind | null {
    const peer = this.#peers.get(deviceId);
    return peer && this.#isReady(peer) ? (peer.link?.path ?? null) : null;
  }

  /** Sends to every device with an open link; returns those device ids. */
  broadcast(plaintext: Uint8Array): string[] {
    const sent: string[] = [];
    for (const [id, peer] of this.#peers) if (peer.link?.send(plaintext)) sent.push(id);
    return sent;
  }

  /** The verified keys behind an open link to this device (from its handshake). */
  peerIdentity(deviceId: string): HandshakePeer | null {
    const peer = this.#peers.get(deviceId);
    return peer && this.#isReady(peer) ? (peer.link?.peer ?? null) : null;
  }

  /** Online member devices without an open link right now. */
  unlinked(): MeshMember[] {
    return [...this.#online.values()].filter((m) => {
      const peer = this.#peers.get(m.deviceId);
      return !peer || !this.#isReady(peer);
    });
  }

  /**
   * Online member devices, and any device we still hold a ready link to
   * (presence may say it left while its direct link still works).
   */
  peers(): PeerReport[] {
    const members = new Map(this.#online);
    for (const [id, peer] of this.#peers) if (this.#isReady(peer)) members.set(id, peer.member);
    return [...members.values()].map((member) => {
      const peer = this.#peers.get(member.deviceId);
      const ready = !!peer && this.#isReady(peer);
      return {
        ...member,
        path: ready ? (peer.link?.path ?? 'connecting') : 'connecting',
        verified: ready,
      };
    });
  }

  #isReady(peer: PeerState): boolean {
    return peer.ready && !!peer.link?.isOpen;
  }

  /** WebRTC signalling from the relay, for this conversation. */
  onSignal(fromDeviceId: string, data: SignalEnvelope, fromUserId = ''): void {
    if (this.#closed) return;
    if (data.s === HERE) {
      this.events.emit('here', fromDeviceId, fromUserId);
      return;
    }
    const member = this.#online.get(fromDeviceId);
    if (!member) {
      this.#early.hold(fromDeviceId, () => this.onSignal(fromDeviceId, data));
      return;
    }
    const weInitiate = initiates(this.#opts.me.deviceId, fromDeviceId);
    let peer = this.#peers.get(fromDeviceId);
    if (data.s === DECLINE) {
      if (weInitiate && peer?.attempt === data.a && peer.transport instanceof PeerTransport) {
        peer.directFailures = MESH_DEFAULTS.maxDirectFailures;
        this.#teardownTransport(peer);
        this.#ensure(fromDeviceId);
      }
      return;
    }
    if (!this.#opts.webrtc) {
      if (!weInitiate) {
        const decline: SignalEnvelope = { c: this.context, a: data.a, s: DECLINE };
        this.#opts.relay.notify({ t: 'signal', to: fromDeviceId, data: signalData(decline) });
      }
      return;
    }
    if (!weInitiate && (!peer || peer.attempt !== data.a)) {
      // The initiator started a new attempt: replace whatever we had.
      if (peer) this.#teardown(peer);
      peer = this.#newPeer(member, data.a);
      this.#startDirect(peer, false);
    }
    if (!peer || peer.attempt !== data.a) return;
    if (peer.transport instanceof PeerTransport) peer.transport.receiveSignal(data.s);
  }

  /** Tells a device we are online for this conversation (DMs; see HERE). */
  announce(deviceId: string): void {
    const data: SignalEnvelope = { c: this.context, a: HERE, s: HERE };
    this.#opts.relay.notify({ t: 'signal', to: deviceId, data: signalData(data) });
  }

  isOnline(deviceId: string): boolean {
    return this.#online.has(deviceId);
  }

  /** A link frame that came through the relay from this device. */
  onRelayFrame(fromDeviceId: string, attempt: string, frame: Uint8Array): void {
    if (this.#closed) return;
    const member = this.#online.get(fromDeviceId) ?? this.#peers.get(fromDeviceId)?.member;
    if (!member) {
      this.#early.hold(fromDeviceId, () => this.onRelayFrame(fromDeviceId, attempt, frame));
      return;
    }
    let peer = this.#peers.get(fromDeviceId);
    const weInitiate = initiates(this.#opts.me.deviceId, fromDeviceId);
    if (
      !weInitiate &&
      (!peer || peer.attempt !== attempt || !(peer.transport instanceof RelayTransport))
    ) {
      if (peer) this.#teardown(peer);
      peer = this.#newPeer(member, attempt);
      this.#startRelay(peer, false);
    }
    if (peer?.attempt === attempt && peer.transport instanceof RelayTransport) {
      peer.transport.deliver(frame);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) this.#teardown(peer);
    this.#peers.clear();
    this.#online.clear();
    this.#early.clear();
    this.events.emit('change');
    this.events.clear();
  }

  #ensure(deviceId: string): void {
    const member = this.#online.get(deviceId);
    if (!member || this.#closed) return;
    if (!initiates(this.#opts.me.deviceId, deviceId)) return; // the other side starts
    const existing = this.#peers.get(deviceId);
    if (existing && (existing.transport || existing.link || existing.retryTimer)) return;
    const peer = this.#newPeer(member, newAttemptId(), existing?.directFailures ?? 0);
    const direct =
      this.#opts.webrtc &&
      peer.directFailures < MESH_DEFAULTS.maxDirectFailures &&
      isDirectPair(
        this.#opts.me.deviceId,
        deviceId,
        [...this.#online.keys()],
        this.#opts.cap ?? MESH_DEFAULTS.cap,
      );
    if (direct) this.#startDirect(peer, true);
    else this.#startRelay(peer, true);
  }

  #newPeer(member: MeshMember, attempt: string, directFailures = 0): PeerState {
    const peer: PeerState = {
      member,
      attempt,
      transport: null,
      link: null,
      ready: false,
      early: [],
      directFailures,
      retryTimer: null,
    };
    this.#peers.set(member.deviceId, peer);
    this.events.emit('change');
    return peer;
  }

  #startDirect(peer: PeerState, initiator: boolean): void {
    const o = this.#opts;
    const transport = new PeerTransport({
      initiator,
      iceServers: o.iceServers,
      connectTimeoutMs: o.connectTimeoutMs ?? MESH_DEFAULTS.connectTimeoutMs,
      ...(o.iceTransportPolicy ? { iceTransportPolicy: o.iceTransportPolicy } : {}),
      ...(o.wrtc ? { wrtc: o.wrtc } : {}),
    });
    peer.transport = transport;
    transport.events.on('signal', (s: PeerSignal) => {
      const data: SignalEnvelope = { c: this.context, a: peer.attempt, s };
      o.relay.notify({ t: 'signal', to: peer.member.deviceId, data: signalData(data) });
    });
    transport.events.once('open', () => this.#attachLink(peer, initiator));
    transport.events.once('close', () => {
      if (this.#peers.get(peer.member.deviceId) !== peer || peer.link?.isOpen) return;
      // Never connected: count it against WebRTC and let the initiator retry,
      // which falls back to the relay path once WebRTC has failed enough.
      peer.directFailures++;
      this.#scheduleRetry(peer);
    });
  }

  #startRelay(peer: PeerState, initiator: boolean): void {
    peer.transport = new RelayTransport(
      this.#opts.relay,
      peer.member.deviceId,
      this.context,
      peer.attempt,
    );
    this.#attachLink(peer, initiator);
  }

  #attachLink(peer: PeerState, initiator: boolean): void {
    const transport = peer.transport;
    if (!transport || this.#peers.get(peer.member.deviceId) !== peer) return;
    const expectedIk = this.#opts.trust.expectedIk(peer.member.userId);
    const link = new Link({
      transport,
      role: initiator ? 'initiator' : 'responder',
      context: this.context,
      local: { dk: this.#opts.me.dk, cert: this.#opts.me.cert },
      expectedDeviceId: peer.member.deviceId,
      ...(expectedIk ? { expectedIk } : {}),
      ...(this.#opts.handshakeTimeoutMs
        ? { handshakeTimeoutMs: this.#opts.handshakeTimeoutMs }
        : {}),
    });
    peer.link = link;
    link.events.on('open', (verified) => {
      // First sight of this user's key pins it (trust on first use).
      void this.#opts.trust
        .observe(peer.member.userId, peer.member.username, toB64(verified.ikPk))
        .then((seen) => {
          if (seen === 'changed') {
            this.events.emit('identityMismatch', peer.member, verified.ikPk);
            link.close();
            return;
          }
          if (peer.link !== link || !link.isOpen) return;
          peer.directFailures = 0;
          peer.ready = true;
          this.events.emit('peerOpen', peer.member, link.path ?? 'relay');
          this.events.emit('change');
          for (const m of peer.early.splice(0)) this.events.emit('message', peer.member, m);
        })
        // A pin we cannot record is a key we cannot vouch for: no link.
        .catch(() => link.close());
    });
    link.events.on('message', (m) => {
      if (peer.ready) this.events.emit('message', peer.member, m);
      else if (peer.early.length < MAX_EARLY_FRAMES) peer.early.push(m);
    });
    link.events.on('drain', () => this.events.emit('drain', peer.member.deviceId));
    link.events.on('identityMismatch', ({ presentedIk }) => {
      // Recording the warning may fail if storage is gone; the link closes regardless.
      this.#opts.trust
        .observe(peer.member.userId, peer.member.username, toB64(presentedIk))
        .catch(() => {});
      this.events.emit('identityMismatch', peer.member, presentedIk);
    });
    link.events.on('close', () => {
      if (this.#peers.get(peer.member.deviceId) !== peer) return;
      const wasOpen = peer.link === link && peer.ready;
      peer.ready = false;
      peer.link = null;
      peer.transport = null;
      if (wasOpen) this.events.emit('peerClose', peer.member);
      this.events.emit('change');
      this.#scheduleRetry(peer);
    });
  }

  #scheduleRetry(peer: PeerState): void {
    if (this.#closed || peer.retryTimer) return;
    if (!this.#online.has(peer.member.deviceId)) {
      // Gone from presence and its link is over: forget it (no ghosts).
      this.#teardown(peer);
      this.#peers.delete(peer.member.deviceId);
      this.events.emit('change');
      return;
    }
    if (!initiates(this.#opts.me.deviceId, peer.member.deviceId)) {
      // The initiator will come back with a new attempt; drop ours so it is accepted.
      this.#teardown(peer);
      this.#peers.delete(peer.member.deviceId);
      return;
    }
    peer.retryTimer = setTimeout(() => {
      peer.retryTimer = null;
      if (this.#peers.get(peer.member.deviceId) !== peer) return;
      this.#teardownTransport(peer);
      this.#ensure(peer.member.deviceId);
    }, this.#opts.retryDelayMs ?? MESH_DEFAULTS.retryDelayMs);
  }

  #teardownTransport(peer: PeerState): void {
    const { link, transport } = peer;
    peer.link = null;
    peer.transport = null;
    link?.close();
    transport?.close();
  }

  #teardown(peer: PeerState): void {
    if (peer.retryTimer) clearTimeout(peer.retryTimer);
    peer.retryTimer = null;
    const wasOpen = !!peer.link?.isOpen;
    this.#teardownTransport(peer);
    if (wasOpen) this.events.emit('peerClose', peer.member);
  }
}

function newAttemptId(): string {
  return toB64(randomBytes(9));
}
