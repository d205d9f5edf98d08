/**
 * A mesh peer's link through its handshake (CRYPTO.md) over the peer's
 * current transport: the handshake expects the device and, once its user is
 * pinned, that identity key; on open the key is pinned (trust on first use)
 * and only then does the link count — what the other side sends meanwhile
 * is held, bounded. A link moved onto an upgrade's data channel retires the
 * old one without it counting as the peer going away.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import { Link } from './link.ts';
import type { MeshMember, MeshOptions } from './mesh-types.ts';
import type { DirectUpgrade } from './mesh-upgrade.ts';
import type { PeerTransport } from './transport/peer-transport.ts';
import { RelayTransport } from './transport/relay-transport.ts';
import type { PathKind } from './transport/transport.ts';

/** What a peer may send between its handshake and our pin before we stop listening. */
const MAX_EARLY_FRAMES = 256;

/** The parts of a mesh peer (mesh-peer.ts) that its link's life reads and changes. */
export interface LinkOwner {
  readonly member: MeshMember;
  attempt: string;
  retiredAttempt: string | null;
  transport: PeerTransport | RelayTransport | null;
  link: Link | null;
  directFailures: number;
}

/** Where a peer's link news goes (the peer's mesh, bound to the peer). */
export interface PeerLinkHost {
  readonly context: string;
  readonly opts: MeshOptions;
  /** The peer is still the mesh's peer for its device. */
  isCurrent(): boolean;
  opened(path: PathKind): void;
  closed(): void;
  message(plaintext: Uint8Array): void;
  drain(): void;
  mismatch(presentedIk: Uint8Array): void;
  changed(): void;
  /** A link became ready on the relay path: plan its move to a data channel. */
  readyOnRelay(): void;
  /** The link closed by itself: try the device again, or forget it. */
  lost(): void;
}

export class PeerLinks {
  readonly #owner: LinkOwner;
  readonly #host: PeerLinkHost;
  /** The link's identity is pinned and peerOpen went out: ready for traffic. */
  #ready = false;
  /** Frames that arrived between the handshake and the pin (bounded). */
  #early: Uint8Array[] = [];
  /** Links replaced by an upgrade: their closing is not the peer going away. */
  readonly #retired = new WeakSet<Link>();

  constructor(owner: LinkOwner, host: PeerLinkHost) {
    this.#owner = owner;
    this.#host = host;
  }

  /** Pinned and announced (the link may have closed since: check it too). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Runs a link handshake over the owner's current transport. */
  attach(initiator: boolean): void {
    const owner = this.#owner;
    const host = this.#host;
    const transport = owner.transport;
    if (!transport || !host.isCurrent()) return;
    const o = host.opts;
    const { member } = owner;
    const expectedIk = o.trust.expectedIk(member.userId);
    const link = new Link({
      transport,
      role: initiator ? 'initiator' : 'responder',
      context: host.context,
      local: { dk: o.me.dk, cert: o.me.cert },
      expectedDeviceId: member.deviceId,
      ...(expectedIk ? { expectedIk } : {}),
      ...(o.handshakeTimeoutMs ? { handshakeTimeoutMs: o.handshakeTimeoutMs } : {}),
    });
    owner.link = link;
    link.events.on('open', (verified) => {
      // First sight of this user's key pins it (trust on first use).
      void o.trust
        .observe(member.userId, member.username, toB64(verified.ikPk))
        .then((seen) => {
          if (seen === 'changed') {
            host.mismatch(verified.ikPk);
            link.close();
            return;
          }
          if (owner.link !== link || !link.isOpen) return;
          owner.directFailures = 0;
          this.#ready = true;
          const path = link.path ?? 'relay';
          if (path === 'relay') host.readyOnRelay();
          host.opened(path);
          host.changed();
          for (const m of this.#early.splice(0)) host.message(m);
        })
        // A pin we cannot record is a key we cannot vouch for: no link.
        .catch(() => link.close());
    });
    link.events.on('message', (m) => {
      if (this.#ready) host.message(m);
      else if (this.#early.length < MAX_EARLY_FRAMES) this.#early.push(m);
    });
    link.events.on('drain', () => host.drain());
    link.events.on('identityMismatch', ({ presentedIk }) => {
      // Recording the warning may fail if storage is gone; the link closes regardless.
      o.trust.observe(member.userId, member.username, toB64(presentedIk)).catch(() => {});
      host.mismatch(presentedIk);
    });
    link.events.on('close', () => {
      if (this.#retired.has(link) || !host.isCurrent()) return;
      const wasOpen = owner.link === link && this.#ready;
      this.#ready = false;
      // Held frames belong to this link: the next one starts with none.
      this.#early = [];
      owner.link = null;
      owner.transport = null;
      if (wasOpen) host.closed();
      host.changed();
      host.lost();
    });
  }

  /**
   * The data channel is open: retire the relay-path link and handshake again
   * over the channel. Above, this is the link closing and reopening: sender
   * keys, chain heads and unacked events go out again on peerOpen.
   */
  moveTo(upgrade: DirectUpgrade, initiator: boolean): void {
    const owner = this.#owner;
    const { link: old, transport: oldTransport } = owner;
    if (old) this.#retired.add(old);
    const wasReady = this.#ready;
    owner.retiredAttempt = owner.attempt;
    owner.attempt = upgrade.attempt;
    this.#ready = false;
    owner.link = null;
    this.#early = [];
    owner.transport = upgrade.transport;
    if (wasReady) this.#host.closed();
    // Transport first, so the old link ends without its final frame (or a
    // close notice): the other side retires its copy when its own data
    // channel opens, not before.
    if (oldTransport instanceof RelayTransport) oldTransport.retire();
    else oldTransport?.close();
    old?.close();
    this.attach(initiator);
    this.#host.changed();
  }
}
