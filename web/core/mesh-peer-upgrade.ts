/**
 * When a mesh peer whose link fell back to the relay path tries a data
 * channel again (mesh-upgrade.ts is one such try): only the initiator
 * starts one, only where the topology wants the pair direct and the cap has
 * room, first after `upgradeDelayMs` and doubling after each failure up to
 * UPGRADE_DEFAULTS.maxDelayMs. The responder follows the initiator's
 * signals. Moving the link once a channel opens is mesh-peer-link.ts.
 */
import type { SignalEnvelope } from './mesh-signals.ts';
import type { MeshOptions } from './mesh-types.ts';
import { DirectUpgrade, newUpgradeAttempt, UPGRADE_DEFAULTS } from './mesh-upgrade.ts';
import type { PeerSignal } from './transport/peer-transport.ts';

/** What the upgrade schedule needs from its peer (and the peer's mesh). */
export interface PeerUpgradeHost {
  readonly opts: MeshOptions;
  isClosed(): boolean;
  /** We start links with this device and the topology wants a data channel with it. */
  wantsUpgrade(): boolean;
  /** The other side said it has no WebRTC. */
  declined(): boolean;
  /** One more data channel, to this device, stays within the mesh cap. */
  hasDirectRoom(): boolean;
  /** The peer is still the mesh's peer for its device. */
  isCurrent(): boolean;
  isReady(): boolean;
  /** Ready, on the relay path: a link worth moving. */
  onRelayPath(): boolean;
  sendSignal(attempt: string, signal: PeerSignal): void;
  /** The try's data channel is open: move the link onto it. */
  moveTo(upgrade: DirectUpgrade, initiator: boolean): void;
}

export class PeerUpgrades {
  readonly #host: PeerUpgradeHost;
  /** A data channel being tried while the link runs on the relay path. */
  #upgrade: DirectUpgrade | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #delayMs: number;

  constructor(host: PeerUpgradeHost) {
    this.#host = host;
    this.#delayMs = host.opts.upgradeDelayMs ?? UPGRADE_DEFAULTS.firstDelayMs;
  }

  /** The attempt id of the try under way. */
  get attempt(): string | null {
    return this.#upgrade?.attempt ?? null;
  }

  /** A try is under way (its data channel counts against the mesh cap). */
  get active(): boolean {
    return !!this.#upgrade;
  }

  /** An upgrade signal from the other device (either role). */
  onSignal(data: SignalEnvelope, weInitiate: boolean): void {
    if (weInitiate) {
      if (this.#upgrade?.attempt === data.a) this.#upgrade.receiveSignal(data.s);
      return;
    }
    // Only a link we hold on the relay path is worth moving.
    if (!this.#host.onRelayPath()) return;
    if (this.#upgrade?.attempt !== data.a) {
      this.drop();
      this.#upgrade = this.#newUpgrade(data.a, false);
    }
    this.#upgrade?.receiveSignal(data.s);
  }

  /** The other side has no room for another data channel now: try again later. */
  full(): void {
    const upgrade = this.#upgrade;
    if (!upgrade) return;
    this.drop();
    this.#failed();
  }

  drop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const upgrade = this.#upgrade;
    this.#upgrade = null;
    upgrade?.cancel();
  }

  /** The initiator tries a data channel later, if this pair should be direct at all. */
  schedule(): void {
    const h = this.#host;
    if (h.isClosed() || this.#timer || this.#upgrade || h.declined()) return;
    if (!h.opts.webrtc || !h.wantsUpgrade()) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (!h.isCurrent() || !h.onRelayPath()) return;
      if (!h.hasDirectRoom()) {
        this.#failed();
        return;
      }
      this.#upgrade = this.#newUpgrade(newUpgradeAttempt(), true);
    }, this.#delayMs);
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
      sendSignal: (s) => this.#host.sendSignal(attempt, s),
      onOpen: (upgrade) => {
        if (this.#upgrade !== upgrade || !this.#host.isCurrent()) {
          upgrade.transport.close();
          return;
        }
        this.#upgrade = null;
        this.#host.moveTo(upgrade, initiator);
      },
      onFail: (upgrade) => {
        if (this.#upgrade !== upgrade) return;
        this.#upgrade = null;
        this.#failed();
      },
    });
  }

  /** Back off and try the upgrade again later. */
  #failed(): void {
    this.#delayMs = Math.min(this.#delayMs * 2, UPGRADE_DEFAULTS.maxDelayMs);
    if (this.#host.isCurrent() && this.#host.isReady()) this.schedule();
  }
}
