/**
 * Keeping every member's copy of a room's membership chain the same.
 *
 * On link open both ends send their head (seq and link hash). Whoever holds
 * the other's head with more after it sends what follows; whoever finds a
 * different entry at that seq (a fork) sends its whole chain; whoever is
 * behind answers with its own head so the other side can do one of those.
 * Entries we take in go on to every other open link (gossip stops where they
 * are already known). A change this device wrote also goes to the relay as
 * a room envelope kept for offline members, so it reaches them when they
 * next log in even if no member is online then; the relay can drop that
 * copy, never forge it.
 *
 * Chain messages are accepted from any verified link — a joiner is not a
 * member until its join entry is in — and trusted only as far as the fold
 * (room-chain.ts) accepts them.
 */
import type { SignedEntry } from '../../shared/events/membership-chain.ts';
import { clientEnvelope } from '../../shared/protocol/envelope.ts';
import { Emitter } from './emitter.ts';
import { decodeLinkMessage, encodeLinkMessage, isChainMessage } from './link-messages.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { RelayClient } from './relay-client.ts';
import { encodeRelayPayload } from './relay-payload.ts';
import type { OfferOutcome, RoomChain } from './room-chain.ts';
import { decodeEntries, encodeEntries, ROOM_CHAIN_LIMITS } from './room-chain-codec.ts';

export type RoomChainSyncEvents = {
  /** What became of entries a member or the mailbox offered (tests, diagnostics). */
  offered: [from: string, outcome: OfferOutcome];
};

export class RoomChainSync {
  readonly events = new Emitter<RoomChainSyncEvents>();
  readonly #chain: RoomChain;
  readonly #mesh: Mesh;
  readonly #relay: RelayClient;
  /** Runs split over several messages, per device, until `more` is false. */
  readonly #partial = new Map<string, Uint8Array[]>();
  readonly #offs: Array<() => void>;

  constructor(parts: { chain: RoomChain; mesh: Mesh; relay: RelayClient }) {
    this.#chain = parts.chain;
    this.#mesh = parts.mesh;
    this.#relay = parts.relay;
    this.#offs = [
      parts.mesh.events.on('peerOpen', (member) => this.#sendHead(member.deviceId)),
      parts.mesh.events.on('peerClose', (member) => this.#partial.delete(member.deviceId)),
      parts.mesh.events.on('message', (from, bytes) => {
        if (isChainMessage(bytes)) this.#onMessage(from, bytes);
      }),
      parts.chain.events.on('changed', (change) => {
        if (change.fresh.length === 0) return;
        for (const peer of this.#mesh.peers()) {
          if (peer.verified) this.#sendRun(peer.deviceId, change.fresh);
        }
        if (change.own) this.#mail();
      }),
    ];
  }

  /** Entries from the relay (a member's change, live or from our mailbox). */
  receiveMail(fromDevice: string, bytes: Uint8Array): OfferOutcome {
    const run = decodeEntries(bytes, ROOM_CHAIN_LIMITS.entriesPerMail);
    const outcome = run ? this.#chain.offer(run) : 'refused';
    this.events.emit('offered', fromDevice, outcome);
    return outcome;
  }

  close(): void {
    for (const off of this.#offs) off();
    this.#partial.clear();
    this.events.clear();
  }

  #onMessage(from: MeshMember, bytes: Uint8Array): void {
    // Only a device whose link proved its identity takes part.
    if (!this.#mesh.peerIdentity(from.deviceId)) return;
    const msg = decodeLinkMessage(bytes);
    if (msg?.t === 'chainHead') this.#onHead(from.deviceId, msg.seq, msg.hash);
    else if (msg?.t === 'chainEntries') this.#onEntries(from.deviceId, msg.entries, msg.more);
  }

  #onHead(deviceId: string, seq: number, hash: string): void {
    const mine = this.#chain.head();
    if (!mine) {
      if (seq >= 0) this.#sendHead(deviceId);
      return;
    }
    if (seq < 0) {
      this.#sendFrom(deviceId, 0);
      return;
    }
    const ours = this.#chain.hashAt(seq);
    if (ours === undefined) this.#sendHead(deviceId);
    else if (ours === hash) {
      if (mine.seq > seq) this.#sendFrom(deviceId, seq + 1);
    } else this.#sendFrom(deviceId, 0);
  }

  #onEntries(deviceId: string, bytes: Uint8Array, more: boolean): void {
    const parts = [...(this.#partial.get(deviceId) ?? []), bytes];
    if (more) {
      // Bounded: a peer cannot make us hold more than a whole chain's worth.
      const max = Math.ceil(ROOM_CHAIN_LIMITS.maxEntries / ROOM_CHAIN_LIMITS.entriesPerMessage);
      if (parts.length > max) this.#partial.delete(deviceId);
      else this.#partial.set(deviceId, parts);
      return;
    }
    this.#partial.delete(deviceId);
    const run: ReturnType<typeof decodeEntries> = [];
    for (const part of parts) {
      const decoded = decodeEntries(part, ROOM_CHAIN_LIMITS.entriesPerMessage);
      if (!decoded) {
        this.events.emit('offered', deviceId, 'refused');
        return;
      }
      run.push(...decoded);
    }
    const outcome = this.#chain.offer(run);
    this.events.emit('offered', deviceId, outcome);
    if (outcome === 'gap') this.#sendHead(deviceId);
    else if (outcome === 'not-preferred') this.#sendFrom(deviceId, 0);
  }

  #sendHead(deviceId: string): void {
    const head = this.#chain.head() ?? { seq: -1, hash: '' };
    this.#mesh.send(deviceId, encodeLinkMessage({ t: 'chainHead', ...head }));
  }

  /** Our entries from `seq` on, in runs that fit a link message. */
  #sendFrom(deviceId: string, seq: number): void {
    this.#sendRun(deviceId, this.#chain.entries.slice(seq));
  }

  #sendRun(deviceId: string, entries: readonly SignedEntry[]): void {
    const step = ROOM_CHAIN_LIMITS.entriesPerMessage;
    for (let i = 0; i < entries.length; i += step) {
      const part = encodeEntries(entries.slice(i, i + step));
      const more = i + step < entries.length;
      if (!this.#mesh.send(deviceId, encodeLinkMessage({ t: 'chainEntries', entries: part, more })))
        return;
    }
  }

  #mail(): void {
    const tail = this.#chain.entries.slice(-ROOM_CHAIN_LIMITS.entriesPerMail);
    const payload = encodeRelayPayload({
      kind: 'membership',
      roomId: this.#chain.roomId,
      entries: encodeEntries(tail),
    });
    this.#relay.sendBinary(
      clientEnvelope({ room: this.#chain.roomId }, payload, { storeIfOffline: true }),
    );
  }
}
