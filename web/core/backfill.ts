/**
 * Late joiners and returning members (ARCHITECTURE.md "Events": backfill).
 * When a link to a member opens, we ask it for the room's events after our
 * newest; it answers from its history, each event with its author's device
 * cert. We accept an event only when the cert chains to an identity key we
 * have pinned for a user, and the event's own signature verifies for that
 * device — a member relaying history cannot forge or alter anyone's words —
 * and the membership chain says its author was a member when it was written.
 *
 * Only a chain member is answered, and in a room whose history setting is
 * `since-join` only with what was written from its latest join on (the join
 * entry's timestamp, which the chain keeps from going back before the entry
 * it follows).
 */
import { frame, toB64, unframe } from '../../shared/crypto/encoding.ts';
import { verifyDeviceCert } from '../../shared/crypto/keys.ts';
import { memberSince, wasMemberAt } from '../../shared/events/membership-chain.ts';
import { type SignedEvent, verifyEvent } from '../../shared/events/signed-event.ts';
import { type CertCache, decodeCert, encodeCert } from './cert-cache.ts';
import type { Conversation } from './conversation.ts';
import { checkKeys } from './directory.ts';
import { Emitter } from './emitter.ts';
import type { EngineContext } from './engine-context.ts';
import { encodeLinkMessage, LINK_MESSAGE_LIMITS } from './link-messages.ts';
import type { Mesh, MeshMember } from './mesh.ts';
import type { RoomChain } from './room-chain.ts';
import type { RoomPresence } from './room-presence.ts';
import type { RoomSession } from './room-session.ts';

export const BACKFILL_LIMITS = {
  /** Events one answer may carry in all (older ones wait for the next request). */
  maxEventsPerAnswer: 2_000,
  /** Room for framing under LINK_MESSAGE_LIMITS.maxBatchBytes. */
  batchBytes: LINK_MESSAGE_LIMITS.maxBatchBytes - 4 * 1024,
  /**
   * Clocks differ: an event stamped this much before its author's join (or
   * after its removal) by the chain's timestamps still counts as theirs.
   */
  clockSkewMs: 2 * 60_000,
} as const;

export type BackfillEvents = {
  /** Events from a batch that were refused, with why (tests, diagnostics). */
  rejected: [from: MeshMember, code: string];
  /** Events from a batch that were new to us. */
  accepted: [from: MeshMember, count: number];
};

export interface RoomBackfillParts {
  roomId: string;
  mesh: Mesh;
  session: RoomSession;
  presence: RoomPresence;
  /** Who is a member, and the room's history setting. */
  chain: RoomChain;
  conversation: Conversation;
  certs: CertCache;
}

export class RoomBackfill {
  readonly events = new Emitter<BackfillEvents>();
  readonly #ctx: EngineContext;
  readonly #p: RoomBackfillParts;
  readonly #offs: Array<() => void>;

  constructor(ctx: EngineContext, parts: RoomBackfillParts) {
    this.#ctx = ctx;
    this.#p = parts;
    parts.certs.remember(ctx.me.cert);
    this.#offs = [
      parts.mesh.events.on('peerOpen', (member) => this.#request(member)),
      parts.session.events.on('backfillRequest', (from, since) => {
        this.#answer(from, since).catch(ctx.reportError);
      }),
      parts.session.events.on('backfillBatch', (from, items) => {
        this.#receive(from, items).catch(ctx.reportError);
      }),
    ];
  }

  close(): void {
    for (const off of this.#offs) off();
    this.events.clear();
  }

  /** Asks every open link again (this device just became a member: earlier asks were refused). */
  requestAll(): void {
    for (const peer of this.#p.mesh.peers()) if (peer.verified) this.#request(peer);
  }

  #request(member: MeshMember): void {
    const peer = this.#p.mesh.peerIdentity(member.deviceId);
    if (peer) this.#p.certs.remember(peer.cert);
    const newest = this.#p.conversation.messages.value.at(-1);
    this.#p.mesh.send(
      member.deviceId,
      encodeLinkMessage({ t: 'backfillRequest', since: newest?.orderKey ?? '' }),
    );
  }

  async #answer(from: MeshMember, since: string): Promise<void> {
    const peer = this.#p.mesh.peerIdentity(from.deviceId);
    const state = this.#p.chain.state.value;
    if (!peer || !state) return;
    const joinedAt = memberSince(state, toB64(peer.ikPk));
    if (joinedAt === null) return;
    const notBefore = state.history === 'since-join' ? joinedAt : 0;
    const stored = (
      await this.#ctx.history.eventsSince(this.#p.roomId, since || null, {
        limit: BACKFILL_LIMITS.maxEventsPerAnswer,
      })
    ).filter(({ event }) => event.ts >= notBefore);
    let items: Uint8Array[] = [];
    let size = 0;
    const flush = (more: boolean) => {
      if (!items.length) return;
      this.#p.mesh.send(
        from.deviceId,
        encodeLinkMessage({ t: 'backfillBatch', items: frame(...items), more }),
      );
      items = [];
      size = 0;
    };
    for (const { signed, event } of stored) {
      const cert = this.#p.certs.get(event.authorDevice);
      if (!cert) continue; // we could not prove its author to anyone
      const certBytes = encodeCert(cert);
      const cost = signed.bytes.length + signed.sig.length + certBytes.length + 12;
      if (size + cost > BACKFILL_LIMITS.batchBytes) flush(true);
      items.push(signed.bytes, signed.sig, certBytes);
      size += cost;
    }
    flush(false);
  }

  async #receive(from: MeshMember, batch: Uint8Array): Promise<void> {
    let fields: Uint8Array[];
    try {
      fields = unframe(batch);
    } catch {
      this.events.emit('rejected', from, 'BAD_BATCH');
      return;
    }
    if (fields.length % 3 !== 0) {
      this.events.emit('rejected', from, 'BAD_BATCH');
      return;
    }
    let accepted = 0;
    for (let i = 0; i < fields.length; i += 3) {
      const signed: SignedEvent = { bytes: fields[i]!, sig: fields[i + 1]! };
      const cert = decodeCert(fields[i + 2]!);
      if (!cert || !verifyDeviceCert(cert)) {
        this.events.emit('rejected', from, 'BAD_CERT');
        continue;
      }
      const ikB64 = toB64(cert.ikPk);
      if (!(await this.#isKnownAuthor(ikB64))) {
        this.events.emit('rejected', from, 'UNKNOWN_AUTHOR');
        continue;
      }
      const checked = verifyEvent(signed, { dkPk: cert.dkPk, ikB64 });
      if (!checked.ok || checked.value.conv !== this.#p.roomId) {
        this.events.emit('rejected', from, checked.ok ? 'WRONG_ROOM' : checked.code);
        continue;
      }
      if (!this.#authorWasMember(ikB64, checked.value.ts)) {
        this.events.emit('rejected', from, 'NOT_MEMBER');
        continue;
      }
      this.#p.certs.remember(cert);
      if (await this.#p.conversation.receive(signed, checked.value)) accepted++;
    }
    if (accepted) this.events.emit('accepted', from, accepted);
  }

  #authorWasMember(ik: string, ts: number): boolean {
    const state = this.#p.chain.state.value;
    if (!state) return false;
    return wasMemberAt(state, ik, ts, BACKFILL_LIMITS.clockSkewMs);
  }

  /**
   * Is this identity key pinned for someone? If not, learn the room's
   * members' keys from the directory (each checked against its own pin)
   * and ask again: only a key that belongs to a user is an author.
   */
  async #isKnownAuthor(ikB64: string): Promise<boolean> {
    if (this.#ctx.trust.userIdForIk(ikB64)) return true;
    for (const member of this.#p.presence.members()) {
      if (this.#ctx.trust.get(member.userId)) continue;
      try {
        await checkKeys(
          await this.#ctx.relay.call({ t: 'keys.get', userId: member.userId }, 'keys'),
          this.#ctx.trust,
        );
      } catch {
        // Offline relay or unknown user: that member stays unknown for now.
      }
    }
    return this.#ctx.trust.userIdForIk(ikB64) !== undefined;
  }
}
