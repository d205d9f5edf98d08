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
 *
 * This file decides whom to reach and how, and keeps the links and what
 * they report; signals and relay frames from other devices are routed to
 * their link by mesh-inbound.ts; each device's link lives its life in
 * mesh-peer.ts, including the later move from the relay path to a data
 * channel (mesh-upgrade.ts).
 */

import { toB64 } from '../../shared/crypto/encoding.ts';
import type { HandshakePeer } from '../../shared/crypto/handshake.ts';
import { randomBytes } from '../../shared/crypto/random.ts';
import { Emitter } from './emitter.ts';
import { DirectBudget } from './mesh-cap.ts';
import { MeshInbound } from './mesh-inbound.ts';
import { MESH_PEER_DEFAULTS, MeshPeer, type MeshPeerHost } from './mesh-peer.ts';
import { type DECLINE, FULL, HERE, type SignalEnvelope, signalData } from './mesh-signals.ts';
import { DEFAULT_MESH_CAP, initiates, isDirectPair } from './mesh-topology.ts';
import type { MeshEvents, MeshMember, MeshOptions, PeerReport } from './mesh-types.ts';
import type { PathKind } from './transport/transport.ts';

export type { MeshEvents, MeshMember, MeshOptions, PeerPath, PeerReport } from './mesh-types.ts';

export const MESH_DEFAULTS = { cap: DEFAULT_MESH_CAP, ...MESH_PEER_DEFAULTS } as const;

export class Mesh {
  readonly events = new Emitter<MeshEvents>();
  readonly context: string;
  readonly #opts: MeshOptions;
  readonly #online = new Map<string, MeshMember>();
  readonly #peers = new Map<string, MeshPeer>();
  readonly #host: MeshPeerHost;
  readonly #budget: DirectBudget;
  readonly #inbound: MeshInbound;
  #closed = false;

  constructor(opts: MeshOptions) {
    this.#opts = opts;
    this.context = opts.context;
    const me = opts.me.deviceId;
    this.#budget = new DirectBudget({
      cap: opts.cap ?? MESH_DEFAULTS.cap,
      channelsExcept: (deviceId) => {
        let n = 0;
        for (const [id, peer] of this.#peers) if (id !== deviceId && peer.usesDataChannel) n++;
        return n;
      },
      refuse: (deviceId, attempt) => this.#refuse(deviceId, attempt, FULL),
    });
    this.#host = {
      context: opts.context,
      opts,
      isCurrent: (peer) => this.#peers.get(peer.deviceId) === peer,
      isOnline: (deviceId) => this.#online.has(deviceId),
      isClosed: () => this.#closed,
      initiates: (deviceId) => initiates(me, deviceId),
      wantsDirect: (deviceId) =>
        isDirectPair(me, deviceId, [...this.#online.keys()], opts.cap ?? MESH_DEFAULTS.cap),
      hasDirectRoom: (deviceId) => this.#budget.hasRoom(deviceId),
      opened: (peer, path) => this.events.emit('peerOpen', peer.member, path),
      closed: (peer) => this.events.emit('peerClose', peer.member),
      message: (peer, m) => this.events.emit('message', peer.member, m),
      drain: (peer) => this.events.emit('drain', peer.deviceId),
      mismatch: (peer, ik) => this.events.emit('identityMismatch', peer.member, ik),
      changed: () => this.events.emit('change'),
      retry: (peer) => this.#ensure(peer.deviceId),
      forget: (peer) => {
        if (this.#peers.get(peer.deviceId) === peer) this.#peers.delete(peer.deviceId);
        this.events.emit('change');
      },
    };
    this.#inbound = new MeshInbound({
      opts,
      budget: this.#budget,
      isClosed: () => this.#closed,
      online: (deviceId) => this.#online.get(deviceId),
      peer: (deviceId) => this.#peers.get(deviceId),
      newPeer: (member, attempt) => this.#newPeer(member, attempt),
      ensure: (deviceId) => this.#ensure(deviceId),
      refuse: (deviceId, attempt, word) => this.#refuse(deviceId, attempt, word),
      here: (deviceId, userId) => this.events.emit('here', deviceId, userId),
    });
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
    this.#inbound.replayHeld(member.deviceId);
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
    peer.teardown();
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
    peer.teardown();
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
    return peer?.isReady ? (peer.link?.path ?? null) : null;
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
    return peer?.isReady ? (peer.link?.peer ?? null) : null;
  }

  /** Online member devices without an open link right now. */
  unlinked(): MeshMember[] {
    return [...this.#online.values()].filter((m) => !this.#peers.get(m.deviceId)?.isReady);
  }

  /**
   * Online member devices, and any device we still hold a ready link to
   * (presence may say it left while its direct link still works).
   */
  peers(): PeerReport[] {
    const members = new Map(this.#online);
    for (const [id, peer] of this.#peers) if (peer.isReady) members.set(id, peer.member);
    return [...members.values()].map((member) => {
      const peer = this.#peers.get(member.deviceId);
      const ready = !!peer?.isReady;
      return {
        ...member,
        path: ready ? (peer?.link?.path ?? 'connecting') : 'connecting',
        verified: ready,
      };
    });
  }

  /** WebRTC signalling from the relay, for this conversation. */
  onSignal(fromDeviceId: string, data: SignalEnvelope, fromUserId = ''): void {
    this.#inbound.onSignal(fromDeviceId, data, fromUserId);
  }

  /** Answers a data-channel attempt (or upgrade) with DECLINE or FULL instead of an answer. */
  #refuse(deviceId: string, attempt: string, word: typeof DECLINE | typeof FULL): void {
    const data: SignalEnvelope = { c: this.context, a: attempt, s: word };
    this.#opts.relay.notify({ t: 'signal', to: deviceId, data: signalData(data) });
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
    this.#inbound.onRelayFrame(fromDeviceId, attempt, frame);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const peer of this.#peers.values()) peer.teardown();
    this.#peers.clear();
    this.#online.clear();
    this.#inbound.clear();
    this.events.emit('change');
    this.events.clear();
  }

  #ensure(deviceId: string): void {
    const member = this.#online.get(deviceId);
    if (!member || this.#closed) return;
    if (!initiates(this.#opts.me.deviceId, deviceId)) return; // the other side starts
    const existing = this.#peers.get(deviceId);
    if (existing?.isBusy) return;
    const peer = this.#newPeer(member, newAttemptId(), existing?.directFailures ?? 0);
    const direct =
      this.#opts.webrtc &&
      peer.directFailures < MESH_DEFAULTS.maxDirectFailures &&
      this.#host.wantsDirect(deviceId) &&
      this.#budget.hasRoom(deviceId);
    if (direct) peer.startDirect(true);
    else peer.startRelay(true);
  }

  #newPeer(member: MeshMember, attempt: string, directFailures = 0): MeshPeer {
    const peer = new MeshPeer(this.#host, member, attempt, directFailures);
    this.#peers.set(member.deviceId, peer);
    this.events.emit('change');
    return peer;
  }
}

function newAttemptId(): string {
  return toB64(randomBytes(9));
}
