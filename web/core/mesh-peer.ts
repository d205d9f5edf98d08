/**
 * One member device's link within a mesh, through its whole life: a data
 * channel or the relay path, the handshake and the pin (trust on first use),
 * ready traffic, closing and the retry after it, and — for a link that fell
 * back to the relay path — the later move to a data channel
 * (mesh-upgrade.ts). The mesh (mesh.ts) decides which devices to reach and
 * routes signals and relay frames here; this file decides nothing about
 * topology. Each link's handshake and pin are mesh-peer-link.ts; when to try
 * that move, and backing off after a failed try, mesh-peer-upgrade.ts.
 */
import type { Link } from './link.ts';
import { PeerLinks } from './mesh-peer-link.ts';
import { PeerUpgrades } from './mesh-peer-upgrade.ts';
import { type SignalEnvelope, signalData } from './mesh-signals.ts';
import type { MeshMember, MeshOptions } from './mesh-types.ts';
import { type PeerSignal, PeerTransport } from './transport/peer-transport.ts';
import { RelayTransport } from './transport/relay-transport.ts';
import type { PathKind } from './transport/transport.ts';

export const MESH_PEER_DEFAULTS = {
  /** A data channel not open by then falls back to the relay path. */
  connectTimeoutMs: 8_000,
  /** After a link closes, wait this long before trying that device again. */
  retryDelayMs: 1_000,
  /** Stop trying WebRTC with a device after this many failures; the relay path stays. */
  maxDirectFailures: 2,
} as const;

/** What a peer needs from its mesh: settings, and where its news goes. */
export interface MeshPeerHost {
  readonly context: string;
  readonly opts: MeshOptions;
  /** This peer is still the mesh's peer for its device (not replaced or removed). */
  isCurrent(peer: MeshPeer): boolean;
  isOnline(deviceId: string): boolean;
  isClosed(): boolean;
  /** We start links with this device (the lower id initiates). */
  initiates(deviceId: string): boolean;
  /** The topology wants a data channel with this device. */
  wantsDirect(deviceId: string): boolean;
  /** One more data channel, to this device, stays within the mesh cap. */
  hasDirectRoom(deviceId: string): boolean;
  opened(peer: MeshPeer, path: PathKind): void;
  closed(peer: MeshPeer): void;
  message(peer: MeshPeer, plaintext: Uint8Array): void;
  drain(peer: MeshPeer): void;
  mismatch(peer: MeshPeer, presentedIk: Uint8Array): void;
  changed(): void;
  /** Time to try this device again (the retry delay passed). */
  retry(peer: MeshPeer): void;
  /** The device is gone and its link over: the mesh drops the peer. */
  forget(peer: MeshPeer): void;
}

export class MeshPeer {
  readonly member: MeshMember;
  attempt: string;
  transport: PeerTransport | RelayTransport | null = null;
  link: Link | null = null;
  directFailures: number;
  /** The other side has no WebRTC: stay on the relay path. */
  upgradeDeclined = false;
  /** The relay-path attempt an upgrade replaced: its late frames are ignored, not a restart. */
  retiredAttempt: string | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #links: PeerLinks;
  readonly #upgrades: PeerUpgrades;
  readonly #host: MeshPeerHost;

  constructor(host: MeshPeerHost, member: MeshMember, attempt: string, directFailures = 0) {
    this.#host = host;
    this.member = member;
    this.attempt = attempt;
    this.directFailures = directFailures;
    this.#links = new PeerLinks(this, {
      context: host.context,
      opts: host.opts,
      isCurrent: () => host.isCurrent(this),
      opened: (path) => host.opened(this, path),
      closed: () => host.closed(this),
      message: (plaintext) => host.message(this, plaintext),
      drain: () => host.drain(this),
      mismatch: (presentedIk) => host.mismatch(this, presentedIk),
      changed: () => host.changed(),
      readyOnRelay: () => this.#upgrades.schedule(),
      lost: () => this.#scheduleRetry(),
    });
    this.#upgrades = new PeerUpgrades({
      opts: host.opts,
      isClosed: () => host.isClosed(),
      wantsUpgrade: () => host.initiates(this.deviceId) && host.wantsDirect(this.deviceId),
      declined: () => this.upgradeDeclined,
      hasDirectRoom: () => host.hasDirectRoom(this.deviceId),
      isCurrent: () => host.isCurrent(this),
      isReady: () => this.isReady,
      onRelayPath: () => this.isReady && this.link?.path === 'relay',
      sendSignal: (attempt, s) => this.#sendSignal(attempt, s),
      moveTo: (upgrade, initiator) => this.#links.moveTo(upgrade, initiator),
    });
  }

  get deviceId(): string {
    return this.member.deviceId;
  }

  get isReady(): boolean {
    return this.#links.ready && !!this.link?.isOpen;
  }

  /** Something is under way (a transport, a link, or a retry waiting). */
  get isBusy(): boolean {
    return !!(this.transport || this.link || this.#retryTimer);
  }

  /** The current attempt is a data channel (not the relay path). */
  get isDirectAttempt(): boolean {
    return this.transport instanceof PeerTransport;
  }

  /** Holds or is opening a data channel (counted against the mesh cap). */
  get usesDataChannel(): boolean {
    return this.transport instanceof PeerTransport || this.#upgrades.active;
  }

  get upgradeAttempt(): string | null {
    return this.#upgrades.attempt;
  }

  startDirect(initiator: boolean): void {
    const o = this.#host.opts;
    const transport = new PeerTransport({
      initiator,
      iceServers: o.iceServers,
      connectTimeoutMs: o.connectTimeoutMs ?? MESH_PEER_DEFAULTS.connectTimeoutMs,
      ...(o.iceTransportPolicy ? { iceTransportPolicy: o.iceTransportPolicy } : {}),
      ...(o.wrtc ? { wrtc: o.wrtc } : {}),
    });
    this.transport = transport;
    transport.events.on('signal', (s: PeerSignal) => this.#sendSignal(this.attempt, s));
    transport.events.once('open', () => this.#links.attach(initiator));
    transport.events.once('close', () => {
      if (!this.#host.isCurrent(this) || this.link?.isOpen) return;
      // Never connected: count it against WebRTC and let the initiator retry,
      // which falls back to the relay path once WebRTC has failed enough.
      this.directFailures++;
      this.#scheduleRetry();
    });
  }

  startRelay(initiator: boolean): void {
    this.transport = new RelayTransport(
      this.#host.opts.relay,
      this.deviceId,
      this.#host.context,
      this.attempt,
    );
    this.#links.attach(initiator);
  }

  /** A WebRTC signal for this peer's current attempt. */
  receiveSignal(signal: unknown): void {
    if (this.transport instanceof PeerTransport) this.transport.receiveSignal(signal);
  }

  /** A relay-path frame for this peer's current attempt; false if it is not on the relay path. */
  deliverRelayFrame(frame: Uint8Array): boolean {
    if (!(this.transport instanceof RelayTransport)) return false;
    this.transport.deliver(frame);
    return true;
  }

  /** Closes the transport and link (the peer object stays for a retry). */
  teardownTransport(): void {
    this.dropUpgrade();
    const { link, transport } = this;
    this.link = null;
    this.transport = null;
    link?.close();
    transport?.close();
  }

  /** Ends everything: timers, upgrade, transport, link (peerClose if it was open). */
  teardown(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.dropUpgrade();
    const wasOpen = !!this.link?.isOpen;
    this.teardownTransport();
    if (wasOpen) this.#host.closed(this);
  }

  /** An upgrade signal from the other device (either role). */
  onUpgradeSignal(data: SignalEnvelope, weInitiate: boolean): void {
    this.#upgrades.onSignal(data, weInitiate);
  }

  /** The other side declined our upgrade (it has no WebRTC). */
  upgradeRefused(): void {
    this.upgradeDeclined = true;
    this.dropUpgrade();
  }

  /** The other side has no room for another data channel now: try again later. */
  upgradeFull(): void {
    this.#upgrades.full();
  }

  dropUpgrade(): void {
    this.#upgrades.drop();
  }

  #sendSignal(attempt: string, s: PeerSignal): void {
    const data: SignalEnvelope = { c: this.#host.context, a: attempt, s };
    this.#host.opts.relay.notify({ t: 'signal', to: this.deviceId, data: signalData(data) });
  }

  #scheduleRetry(): void {
    if (this.#host.isClosed() || this.#retryTimer) return;
    if (!this.#host.isOnline(this.deviceId)) {
      // Gone from presence and its link is over: forget it (no ghosts).
      this.teardown();
      this.#host.forget(this);
      return;
    }
    if (!this.#host.initiates(this.deviceId)) {
      // The initiator will come back with a new attempt; drop ours so it is accepted.
      this.teardown();
      this.#host.forget(this);
      return;
    }
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      if (!this.#host.isCurrent(this)) return;
      this.teardownTransport();
      this.#host.retry(this);
    }, this.#host.opts.retryDelayMs ?? MESH_PEER_DEFAULTS.retryDelayMs);
  }
}
