/**
 * One member device's link within a mesh, through its whole life: a data
 * channel or the relay path, the handshake and the pin (trust on first use),
 * ready traffic, closing and the retry after it, and — for a link that fell
 * back to the relay path — the later move to a data channel
 * (mesh-upgrade.ts). The mesh (mesh.ts) decides which devices to reach and
 * routes signals and relay frames here; this file decides nothing about
 * topology.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import { Link } from './link.ts';
import { type SignalEnvelope, signalData } from './mesh-signals.ts';
import type { MeshMember, MeshOptions } from './mesh-types.ts';
import { DirectUpgrade, newUpgradeAttempt, UPGRADE_DEFAULTS } from './mesh-upgrade.ts';
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

/** What a peer may send between its handshake and our pin before we stop listening. */
const MAX_EARLY_FRAMES = 256;

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
  /** The link's identity is pinned and peerOpen went out: ready for traffic. */
  #ready = false;
  /** Frames that arrived between the handshake and the pin (bounded). */
  #early: Uint8Array[] = [];
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** A data channel being tried while the link runs on the relay path. */
  #upgrade: DirectUpgrade | null = null;
  #upgradeTimer: ReturnType<typeof setTimeout> | null = null;
  #upgradeDelayMs: number;
  /** Links replaced by an upgrade: their closing is not the peer going away. */
  readonly #retired = new WeakSet<Link>();
  readonly #host: MeshPeerHost;

  constructor(host: MeshPeerHost, member: MeshMember, attempt: string, directFailures = 0) {
    this.#host = host;
    this.member = member;
    this.attempt = attempt;
    this.directFailures = directFailures;
    this.#upgradeDelayMs = host.opts.upgradeDelayMs ?? UPGRADE_DEFAULTS.firstDelayMs;
  }

  get deviceId(): string {
    return this.member.deviceId;
  }

  get isReady(): boolean {
    return this.#ready && !!this.link?.isOpen;
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
    return this.transport instanceof PeerTransport || !!this.#upgrade;
  }

  get upgradeAttempt(): string | null {
    return this.#upgrade?.attempt ?? null;
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
    transport.events.once('open', () => this.#attachLink(initiator));
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
    this.#attachLink(initiator);
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
    if (weInitiate) {
      if (this.#upgrade?.attempt === data.a) this.#upgrade.receiveSignal(data.s);
      return;
    }
    // Only a link we hold on the relay path is worth moving.
    if (!this.isReady || this.link?.path !== 'relay') return;
    if (this.#upgrade?.attempt !== data.a) {
      this.dropUpgrade();
      this.#upgrade = this.#newUpgrade(data.a, false);
    }
    this.#upgrade?.receiveSignal(data.s);
  }

  /** The other side declined our upgrade (it has no WebRTC). */
  upgradeRefused(): void {
    this.upgradeDeclined = true;
    this.dropUpgrade();
  }

  /** The other side has no room for another data channel now: try again later. */
  upgradeFull(): void {
    const upgrade = this.#upgrade;
    if (!upgrade) return;
    this.dropUpgrade();
    this.#upgradeFailed();
  }

  dropUpgrade(): void {
    if (this.#upgradeTimer) clearTimeout(this.#upgradeTimer);
    this.#upgradeTimer = null;
    const upgrade = this.#upgrade;
    this.#upgrade = null;
    upgrade?.cancel();
  }

  #sendSignal(attempt: string, s: PeerSignal): void {
    const data: SignalEnvelope = { c: this.#host.context, a: attempt, s };
    this.#host.opts.relay.notify({ t: 'signal', to: this.deviceId, data: signalData(data) });
  }

  #attachLink(initiator: boolean): void {
    const transport = this.transport;
    if (!transport || !this.#host.isCurrent(this)) return;
    const o = this.#host.opts;
    const expectedIk = o.trust.expectedIk(this.member.userId);
    const link = new Link({
      transport,
      role: initiator ? 'initiator' : 'responder',
      context: this.#host.context,
      local: { dk: o.me.dk, cert: o.me.cert },
      expectedDeviceId: this.deviceId,
      ...(expectedIk ? { expectedIk } : {}),
      ...(o.handshakeTimeoutMs ? { handshakeTimeoutMs: o.handshakeTimeoutMs } : {}),
    });
    this.link = link;
    link.events.on('open', (verified) => {
      // First sight of this user's key pins it (trust on first use).
      void o.trust
        .observe(this.member.userId, this.member.username, toB64(verified.ikPk))
        .then((seen) => {
          if (seen === 'changed') {
            this.#host.mismatch(this, verified.ikPk);
            link.close();
            return;
          }
          if (this.link !== link || !link.isOpen) return;
          this.directFailures = 0;
          this.#ready = true;
          const path = link.path ?? 'relay';
          if (path === 'relay') this.#scheduleUpgrade();
          this.#host.opened(this, path);
          this.#host.changed();
          for (const m of this.#early.splice(0)) this.#host.message(this, m);
        })
        // A pin we cannot record is a key we cannot vouch for: no link.
        .catch(() => link.close());
    });
    link.events.on('message', (m) => {
      if (this.#ready) this.#host.message(this, m);
      else if (this.#early.length < MAX_EARLY_FRAMES) this.#early.push(m);
    });
    link.events.on('drain', () => this.#host.drain(this));
    link.events.on('identityMismatch', ({ presentedIk }) => {
      // Recording the warning may fail if storage is gone; the link closes regardless.
      o.trust.observe(this.member.userId, this.member.username, toB64(presentedIk)).catch(() => {});
      this.#host.mismatch(this, presentedIk);
    });
    link.events.on('close', () => {
      if (this.#retired.has(link) || !this.#host.isCurrent(this)) return;
      const wasOpen = this.link === link && this.#ready;
      this.#ready = false;
      this.link = null;
      this.transport = null;
      if (wasOpen) this.#host.closed(this);
      this.#host.changed();
      this.#scheduleRetry();
    });
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

  /** The initiator tries a data channel later, if this pair should be direct at all. */
  #scheduleUpgrade(): void {
    const h = this.#host;
    if (h.isClosed() || this.#upgradeTimer || this.#upgrade || this.upgradeDeclined) return;
    if (!h.opts.webrtc || !h.initiates(this.deviceId) || !h.wantsDirect(this.deviceId)) return;
    this.#upgradeTimer = setTimeout(() => {
      this.#upgradeTimer = null;
      if (!h.isCurrent(this) || !this.isReady || this.link?.path !== 'relay') return;
      if (!h.hasDirectRoom(this.deviceId)) {
        this.#upgradeFailed();
        return;
      }
      this.#upgrade = this.#newUpgrade(newUpgradeAttempt(), true);
    }, this.#upgradeDelayMs);
  }

  #newUpgrade(attempt: string, initiator: boolean): DirectUpgrade {
    const o = this.#host.opts;
    return new DirectUpgrade({
      attempt,
      initiator,
      iceServers: o.iceServers,
      ...(o.iceTransportPolicy ? { iceTransportPolicy: o.iceTransportPolicy } : {}),
      ...(o.wrtc ? { wrtc: o.wrtc } : {}),
      ...(o.upgradeConnectTimeoutMs ? { connectTimeoutMs: o.upgradeConnectTimeoutMs } : {}),
      sendSignal: (s) => this.#sendSignal(attempt, s),
      onOpen: (upgrade) => this.#moveToUpgrade(upgrade, initiator),
      onFail: (upgrade) => {
        if (this.#upgrade !== upgrade) return;
        this.#upgrade = null;
        this.#upgradeFailed();
      },
    });
  }

  /** Back off and try the upgrade again later. */
  #upgradeFailed(): void {
    this.#upgradeDelayMs = Math.min(this.#upgradeDelayMs * 2, UPGRADE_DEFAULTS.maxDelayMs);
    if (this.#host.isCurrent(this) && this.isReady) this.#scheduleUpgrade();
  }

  /**
   * The data channel is open: retire the relay-path link and handshake again
   * over the channel. Above, this is the link closing and reopening: sender
   * keys, chain heads and unacked events go out again on peerOpen.
   */
  #moveToUpgrade(upgrade: DirectUpgrade, initiator: boolean): void {
    if (this.#upgrade !== upgrade || !this.#host.isCurrent(this)) {
      upgrade.transport.close();
      return;
    }
    const { link: old, transport: oldTransport } = this;
    if (old) this.#retired.add(old);
    const wasReady = this.#ready;
    this.#upgrade = null;
    this.retiredAttempt = this.attempt;
    this.attempt = upgrade.attempt;
    this.#ready = false;
    this.link = null;
    this.#early = [];
    this.transport = upgrade.transport;
    if (wasReady) this.#host.closed(this);
    // Transport first, so the old link ends without its final frame (or a
    // close notice): the other side retires its copy when its own data
    // channel opens, not before.
    if (oldTransport instanceof RelayTransport) oldTransport.retire();
    else oldTransport?.close();
    old?.close();
    this.#attachLink(initiator);
    this.#host.changed();
  }
}
