/**
 * What reaches a mesh from other devices, routed to the right link: WebRTC
 * signals and link frames that came over the relay. Each names its attempt;
 * the responder's side of a new attempt (the initiator restarted: reload,
 * network change) replaces the old link, an upgrade's signals go to the link
 * they would move (mesh-upgrade.ts), a data-channel offer past the cap is
 * answered FULL (mesh-cap.ts), and stale traffic (a retired relay-path
 * attempt, the rest of a link already closed) starts nothing. Signals and
 * frames from devices presence has not announced yet are held briefly and
 * replayed when it does.
 */
import { WIRE_TYPE, WIRE_VERSION } from '../../shared/crypto/constants.ts';
import { EarlyBuffer } from './early-buffer.ts';
import type { DirectBudget } from './mesh-cap.ts';
import { MESH_PEER_DEFAULTS, type MeshPeer } from './mesh-peer.ts';
import { DECLINE, FULL, HERE, type SignalEnvelope } from './mesh-signals.ts';
import { initiates } from './mesh-topology.ts';
import type { MeshMember, MeshOptions } from './mesh-types.ts';
import { isUpgradeAttempt } from './mesh-upgrade.ts';
import { isRelayCloseNotice } from './transport/relay-transport.ts';

/** What inbound routing needs from its mesh. */
export interface MeshInboundHost {
  readonly opts: MeshOptions;
  readonly budget: DirectBudget;
  isClosed(): boolean;
  /** The device as presence announced it, when it is online. */
  online(deviceId: string): MeshMember | undefined;
  /** The mesh's current peer for the device. */
  peer(deviceId: string): MeshPeer | undefined;
  /** A fresh attempt with the device, now its current peer. */
  newPeer(member: MeshMember, attempt: string): MeshPeer;
  /** Reach the device again (we initiate with it). */
  ensure(deviceId: string): void;
  /** Answer a data-channel attempt with DECLINE or FULL instead of an answer. */
  refuse(deviceId: string, attempt: string, word: typeof DECLINE | typeof FULL): void;
  /** A device announced itself for this conversation (HERE). */
  here(deviceId: string, userId: string): void;
}

export class MeshInbound {
  readonly #host: MeshInboundHost;
  /** Signals and frames from devices presence has not announced yet. */
  readonly #early = new EarlyBuffer<() => void>();

  constructor(host: MeshInboundHost) {
    this.#host = host;
  }

  /** WebRTC signalling from the relay, for this conversation. */
  onSignal(fromDeviceId: string, data: SignalEnvelope, fromUserId = ''): void {
    const host = this.#host;
    if (host.isClosed()) return;
    if (data.s === HERE) {
      host.here(fromDeviceId, fromUserId);
      return;
    }
    const member = host.online(fromDeviceId);
    if (!member) {
      this.#early.hold(fromDeviceId, () => this.onSignal(fromDeviceId, data));
      return;
    }
    const weInitiate = initiates(host.opts.me.deviceId, fromDeviceId);
    let peer = host.peer(fromDeviceId);
    if (data.s === DECLINE || data.s === FULL) {
      if (!weInitiate || !peer) return;
      if (peer.upgradeAttempt === data.a) {
        if (data.s === DECLINE) peer.upgradeRefused();
        else peer.upgradeFull();
      } else if (peer.attempt === data.a && peer.isDirectAttempt) {
        // No WebRTC there, or no room for another data channel: the relay path now.
        peer.directFailures = MESH_PEER_DEFAULTS.maxDirectFailures;
        peer.teardownTransport();
        host.ensure(fromDeviceId);
      }
      return;
    }
    if (!host.opts.webrtc) {
      if (!weInitiate) host.refuse(fromDeviceId, data.a, DECLINE);
      return;
    }
    if (isUpgradeAttempt(data.a) && peer?.attempt !== data.a) {
      if (peer?.member.userId !== member.userId) return;
      const fresh = !weInitiate && peer.upgradeAttempt !== data.a;
      if (fresh && !host.budget.admit(fromDeviceId, data.a)) return;
      peer.onUpgradeSignal(data, weInitiate);
      return;
    }
    if (!weInitiate && (!peer || peer.attempt !== data.a)) {
      if (!host.budget.admit(fromDeviceId, data.a)) return;
      // The initiator started a new attempt: replace whatever we had.
      peer?.teardown();
      peer = host.newPeer(member, data.a);
      peer.startDirect(false);
    }
    if (peer?.attempt === data.a) peer.receiveSignal(data.s);
  }

  /** A link frame that came through the relay from this device. */
  onRelayFrame(fromDeviceId: string, attempt: string, frame: Uint8Array): void {
    const host = this.#host;
    if (host.isClosed()) return;
    const member = host.online(fromDeviceId) ?? host.peer(fromDeviceId)?.member;
    if (!member) {
      this.#early.hold(fromDeviceId, () => this.onRelayFrame(fromDeviceId, attempt, frame));
      return;
    }
    let peer = host.peer(fromDeviceId);
    // In flight when the link moved to a data channel: stale, not a restarted peer.
    if (peer && peer.retiredAttempt === attempt) return;
    if (isRelayCloseNotice(frame)) {
      // Ends only the attempt it names; never starts one.
      if (peer?.attempt === attempt) peer.deliverRelayFrame(frame);
      return;
    }
    const weInitiate = initiates(host.opts.me.deviceId, fromDeviceId);
    const onRelayPath = peer?.attempt === attempt && peer.deliverRelayFrame(frame);
    // Only a handshake's first message starts an attempt: the rest of a link
    // we already closed (traffic in flight) must not start one, fail, and
    // send a close notice per frame.
    if (onRelayPath || weInitiate || !isHandshakeInit(frame)) return;
    peer?.teardown();
    peer = host.newPeer(member, attempt);
    peer.startRelay(false);
    peer.deliverRelayFrame(frame);
  }

  /** The device is online now: what it sent before goes through, in order. */
  replayHeld(deviceId: string): void {
    for (const replay of this.#early.take(deviceId)) replay();
  }

  clear(): void {
    this.#early.clear();
  }
}

function isHandshakeInit(frame: Uint8Array): boolean {
  return frame[0] === WIRE_VERSION && frame[1] === WIRE_TYPE.handshakeInit;
}
