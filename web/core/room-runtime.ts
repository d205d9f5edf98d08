/**
 * Everything one room needs while it is open, wired together: its mesh, its
 * presence (routing only), its membership chain and the sync that keeps it
 * the same on every member, its sender-key session and its conversation
 * (history, outbox). The chain is the authority on membership: it decides
 * who gets our sender keys, whose events count, who moderates, and what a
 * new member may backfill.
 */
import { computed, type ReadonlySignal } from '@preact/signals-core';
import { fromUtf8, toB64, utf8 } from '../../shared/crypto/encoding.ts';
import type { EpochEvent } from '../../shared/crypto/sender-keys.ts';
import type { MembershipState } from '../../shared/events/membership-chain.ts';
import type { MemberRole } from '../../shared/events/membership-schema.ts';
import { RoomBackfill } from './backfill.ts';
import { Conversation } from './conversation.ts';
import { checkKeys } from './directory.ts';
import { type EngineContext, newMesh } from './engine-context.ts';
import type { ConversationFiles } from './files/conversation-files.ts';
import type { Mesh } from './mesh.ts';
import { RoomChain } from './room-chain.ts';
import { RoomChainSync } from './room-chain-sync.ts';
import { RoomEpochs } from './room-epochs.ts';
import { type MemberView, roomMembers } from './room-members.ts';
import { RoomPresence } from './room-presence.ts';
import { type RoomMembership, RoomSession } from './room-session.ts';

/** A join waiting for the room's chain (kv): the invite secret, or '' for a public room. */
const JOIN_INTENT_PREFIX = 'room-join/';

export class RoomRuntime {
  readonly roomId: string;
  readonly mesh: Mesh;
  readonly presence: RoomPresence;
  /** The signed membership chain: the authority on who is a member. */
  readonly chain: RoomChain;
  readonly chainSync: RoomChainSync;
  readonly session: RoomSession;
  readonly conversation: Conversation;
  readonly files: ConversationFiles;
  readonly backfill: RoomBackfill;
  /** Members with presence, connection path and verification, for the UI. */
  readonly members: ReadonlySignal<MemberView[]>;
  /** Each member's role by the chain: identity key (base64url) → role. */
  readonly roles: ReadonlySignal<ReadonlyMap<string, MemberRole>>;
  readonly #closeMembers: () => void;
  readonly #ctx: EngineContext;
  readonly #lookedUp = new Set<string>();
  /** The invite secret ('' for a public room) while our join entry is still to be written. */
  #joinIntent: string | null = null;

  /** Opens the room's chain from disk, then wires the rest. */
  static async open(ctx: EngineContext, roomId: string): Promise<RoomRuntime> {
    const chain = await RoomChain.open(
      ctx.history,
      roomId,
      { ikPk: ctx.me.ikPk, deviceId: ctx.me.deviceId, dk: ctx.me.dk, cert: ctx.me.cert },
      { reportError: ctx.reportError },
    );
    // Before the session exists: its first distribution must name a fresh epoch.
    const epochs = await RoomEpochs.open(ctx.history, roomId, { reportError: ctx.reportError });
    const runtime = new RoomRuntime(ctx, roomId, chain, epochs);
    const intent = await ctx.history.kvGet(JOIN_INTENT_PREFIX + roomId);
    if (intent) runtime.#joinIntent = fromUtf8(intent);
    return runtime;
  }

  private constructor(ctx: EngineContext, roomId: string, chain: RoomChain, epochs: RoomEpochs) {
    this.#ctx = ctx;
    this.roomId = roomId;
    this.chain = chain;
    this.mesh = newMesh(ctx, roomId);
    this.presence = new RoomPresence(ctx.relay, this.mesh, roomId);
    this.chainSync = new RoomChainSync({ chain, mesh: this.mesh, relay: ctx.relay });
    this.session = new RoomSession({
      roomId,
      mesh: this.mesh,
      presence: this.presence,
      membership: chainMembership(chain),
      me: { deviceId: ctx.me.deviceId, dk: ctx.me.dk },
      epochs,
    });
    const session = this.session;
    this.conversation = new Conversation({
      convId: roomId,
      kind: 'room',
      history: ctx.history,
      outbox: ctx.outbox,
      me: { ik: ctx.me.ikPk, deviceId: ctx.me.deviceId, dk: ctx.me.dk },
      // Owners and admins by the chain delete anyone's message, on every member alike.
      rules: { isModerator: (ik) => chain.isModerator(ik) },
      transport: {
        send: (signed, event) => session.send(signed, { msgId: event.id, ts: event.ts }).sentTo,
        resendTo: (deviceId, signed, event) =>
          session.sendTo(deviceId, signed, { msgId: event.id, ts: event.ts }),
        ack: (deviceId, ids) => session.ack(deviceId, ids),
        typing: (on) => session.typing(on),
        recipients: () => session.recipients(),
      },
    });
    const conversation = this.conversation;
    this.files = ctx.files.attach(this.roomId, this.mesh, conversation);
    // File requests and acks count only from devices whose identity the chain holds.
    this.files.admitOnly((deviceId) => {
      const peer = this.mesh.peerIdentity(deviceId);
      return peer !== null && chain.isMember(toB64(peer.ikPk));
    });
    const report = ctx.reportError;
    session.events.on('event', (e) => {
      conversation.receive(e.signed, e.event).catch(report);
    });
    session.events.on('ack', (deviceId, ids) => {
      conversation.acked(deviceId, ids).catch(report);
    });
    session.events.on('typing', (from, on) => {
      const peer = this.mesh.peerIdentity(from.deviceId);
      if (peer) conversation.typingFrom(toB64(peer.ikPk), on);
    });
    const view = roomMembers(
      this.presence,
      this.mesh,
      ctx.trust,
      { userId: ctx.me.userId, ik: chain.myIk },
      chain,
    );
    this.members = view.members;
    this.roles = computed(() => chain.state.value?.roles ?? new Map<string, MemberRole>());
    this.#closeMembers = view.close;
    this.backfill = new RoomBackfill(ctx, {
      roomId,
      mesh: this.mesh,
      session,
      presence: this.presence,
      chain,
      conversation,
      certs: ctx.certs,
    });
    // After the session has sent this device our sender key (it subscribed first).
    this.mesh.events.on('peerOpen', (member) => conversation.resendPending(member.deviceId));
    this.presence.events.on('removed', (userIds) => {
      // Stop waiting for acks from devices of people who left.
      for (const p of this.mesh.peers())
        if (userIds.includes(p.userId)) ctx.outbox.forget(p.deviceId).catch(report);
    });
    this.presence.events.on('members', () => this.#learnMemberKeys());
    chain.events.on('changed', (change) => {
      for (const p of this.mesh.peers()) {
        const peer = this.mesh.peerIdentity(p.deviceId);
        if (peer && change.removed.includes(toB64(peer.ikPk)))
          ctx.outbox.forget(p.deviceId).catch(report);
      }
      // Asks made before we were a member were refused: ask again now.
      if (change.added.includes(chain.myIk)) this.backfill.requestAll();
      // After every listener has seen this change: a join written now is the next change.
      queueMicrotask(() => this.#writeJoin());
    });
  }

  /** We joined at the relay and our join entry is still to be written (even across a reload). */
  get joining(): boolean {
    return this.#joinIntent !== null;
  }

  /** The room's chain state (name, visibility, history setting, roles); null until we hold it. */
  get membership(): ReadonlySignal<MembershipState | null> {
    return this.chain.state;
  }

  async start(): Promise<void> {
    await this.conversation.load();
    await this.files.start();
    this.#writeJoin();
    await this.presence.refresh();
  }

  /**
   * We joined at the relay: write our join entry as soon as we hold the
   * room's chain (from a member's link or our mailbox), even after a reload.
   */
  async intendToJoin(inviteSecret: string | null): Promise<void> {
    this.#joinIntent = inviteSecret ?? '';
    await this.#ctx.history.kvPut(JOIN_INTENT_PREFIX + this.roomId, utf8(this.#joinIntent));
    this.#writeJoin();
  }

  /** Resolves true once our identity is a member by the chain; false after `timeoutMs`. */
  untilMember(timeoutMs: number): Promise<boolean> {
    if (this.chain.amMember()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.chain.events.on('changed', () => {
        if (!this.chain.amMember()) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  close(): void {
    this.conversation.flush();
    this.#ctx.router.remove(this.roomId);
    this.#ctx.files.detach(this.roomId);
    this.#closeMembers();
    this.backfill.close();
    this.session.close();
    this.chainSync.close();
    this.chain.close();
    this.presence.close();
    this.mesh.close();
  }

  #writeJoin(): void {
    const secret = this.#joinIntent;
    if (secret === null || !this.chain.state.value) return;
    if (!this.chain.amMember()) {
      const written = this.chain.append(
        secret ? { op: 'join', inviteSecret: secret } : { op: 'join' },
      );
      // Refused (banned, no valid invite): the intent stays for a later chain.
      if (!written.ok) return;
    }
    this.#joinIntent = null;
    this.#ctx.history.kvDelete(JOIN_INTENT_PREFIX + this.roomId).catch(this.#ctx.reportError);
  }

  /**
   * Members the relay lists whose keys we have not pinned yet: fetch them
   * (checked against any pin) so the chain's identity keys map to people.
   */
  #learnMemberKeys(): void {
    for (const m of this.presence.members()) {
      if (m.userId === this.#ctx.me.userId || this.#ctx.trust.get(m.userId)) continue;
      if (this.#lookedUp.has(m.userId)) continue;
      this.#lookedUp.add(m.userId);
      this.#ctx.relay
        .call({ t: 'keys.get', userId: m.userId }, 'keys')
        .then((reply) => checkKeys(reply, this.#ctx.trust))
        .catch(() => this.#lookedUp.delete(m.userId));
    }
  }
}

/** The chain as the session's membership authority. */
function chainMembership(chain: RoomChain): RoomMembership {
  return {
    isMember: (peer) => peer.ik !== '' && chain.isMember(peer.ik),
    selfIsMember: () => chain.amMember(),
    onChange: (listener) =>
      chain.events.on('changed', (change) => listener(removalReason(change.removed, chain))),
  };
}

/** Why the epoch must change, or null when nobody was removed. */
function removalReason(removed: readonly string[], chain: RoomChain): EpochEvent | null {
  if (removed.length === 0) return null;
  const banned = chain.state.value?.banned;
  return removed.some((ik) => banned?.has(ik)) ? 'ban' : 'kick';
}
