/**
 * The rooms a client has open (web/core/README.md "Membership"): each
 * room's runtime, opened at start and on create or join; joining and
 * leaving at the relay and in the room's chain; invites and moderation
 * entries; and closing a room this user is out of (RemovalWatch). The
 * facade (client.ts) delegates here.
 */
import type { MembershipOp, RoomHistory } from '../../shared/events/membership-schema.ts';
import type { AssignableRoleT, VisibilityT } from '../../shared/protocol/fields.ts';
import type { RoomSummaryT } from '../../shared/protocol/relay-messages.ts';
import type { ConversationList } from './conversation-list.ts';
import { type EngineContext, meIkB64 } from './engine-context.ts';
import {
  chainInvite,
  identityOf,
  ROOM_ADMIN_DEFAULTS,
  splitInvite,
  writeEntry,
} from './room-admin.ts';
import { MembershipError } from './room-chain.ts';
import { type RemovalReason, RemovalWatch, type RoomRemoval } from './room-removal.ts';
import { RoomRuntime } from './room-runtime.ts';

export class ClientRooms {
  readonly #ctx: EngineContext;
  readonly #list: ConversationList;
  readonly #onRemoved: (removal: RoomRemoval) => void;
  readonly #rooms = new Map<string, RoomRuntime>();
  /** Notices that this user is out of a room (chain entry, or relay notice the relay backs). */
  readonly #removals: RemovalWatch;
  #closed = false;
  /** Every room is open: membership mail collected at login waits for its room. */
  readonly #opened: Promise<void>;
  #markOpened: () => void = () => {};

  /** `onRemoved`: told once per removal, after the room is closed. */
  constructor(
    ctx: EngineContext,
    list: ConversationList,
    onRemoved: (removal: RoomRemoval) => void,
  ) {
    this.#ctx = ctx;
    this.#list = list;
    this.#onRemoved = onRemoved;
    this.#removals = new RemovalWatch({
      relay: ctx.relay,
      trust: ctx.trust,
      me: { userId: ctx.me.userId, ik: meIkB64(ctx), deviceId: ctx.me.deviceId },
      openRoom: (roomId) => this.#rooms.get(roomId),
      onRemoved: (runtime, reason, by) => this.#removed(runtime, reason, by),
    });
    this.#opened = new Promise((resolve) => {
      this.#markOpened = resolve;
    });
  }

  get(roomId: string): RoomRuntime | undefined {
    return this.#rooms.get(roomId);
  }

  runtimes(): RoomRuntime[] {
    return [...this.#rooms.values()];
  }

  /** Start-up: every room the relay lists, except those our stored chain says we are out of. */
  async openAll(): Promise<void> {
    const list = await this.#ctx.relay.call({ t: 'room.list' }, 'room.list.ok');
    for (const room of list.rooms) await this.#open(room.id, room.name, { unlessRemoved: true });
  }

  /** Start-up is over (rooms and DMs opened, or failed): held membership mail goes through. */
  markOpened(): void {
    this.#markOpened();
  }

  async create(
    name: string,
    visibility: VisibilityT,
    options: { history?: RoomHistory },
  ): Promise<{ roomId: string; invite?: string }> {
    const reply = await this.#ctx.relay.call(
      { t: 'room.create', name, visibility },
      'room.created',
    );
    const runtime = await this.#open(reply.room.id, reply.room.name);
    const created = runtime.chain.create(reply.room.name, visibility, options.history ?? 'shared');
    if (!created.ok && created.code !== 'CHAIN_EXISTS') throw new MembershipError(created.code);
    return reply.invite
      ? { roomId: reply.room.id, invite: chainInvite(runtime.chain, reply.invite) }
      : { roomId: reply.room.id };
  }

  async join(roomId: string, invite?: string): Promise<void> {
    const [relayInvite, secret] = splitInvite(invite);
    const reply = await this.#ctx.relay.call(
      relayInvite ? { t: 'room.join', roomId, invite: relayInvite } : { t: 'room.join', roomId },
      'room.joined',
    );
    const runtime = await this.#open(reply.room.id, reply.room.name);
    await runtime.intendToJoin(secret);
    const me = this.#ctx.me.userId;
    const othersOnline = runtime.presence
      .members()
      .some((m) => m.userId !== me && m.online.length > 0);
    await runtime.untilMember(othersOnline ? ROOM_ADMIN_DEFAULTS.joinWaitMs : 0);
  }

  async leave(roomId: string): Promise<void> {
    const runtime = this.#rooms.get(roomId);
    // The owner cannot leave (the relay says OWNER_CANNOT_LEAVE; the chain agrees).
    const myRole = runtime?.chain.roleOf(runtime.chain.myIk);
    await this.#removals.leaving(roomId, async () => {
      if (runtime && myRole && myRole !== 'owner') {
        // The signed leave goes out (links and relay) before the relay forgets us.
        await writeEntry(runtime.chain, { op: 'leave' });
      }
      await this.#ctx.relay.call({ t: 'room.leave', roomId }, 'ok');
      this.#closeRoom(roomId);
    });
  }

  async publicRooms(): Promise<RoomSummaryT[]> {
    return (await this.#ctx.relay.call({ t: 'room.public' }, 'room.public.ok')).rooms;
  }

  async createInvite(roomId: string): Promise<string> {
    const runtime = this.#roomOrThrow(roomId);
    if (!runtime.chain.isModerator(runtime.chain.myIk))
      throw new MembershipError('CHAIN_FORBIDDEN');
    const relayInvite = (await this.#ctx.relay.call({ t: 'room.invite', roomId }, 'room.invite.ok'))
      .invite;
    return chainInvite(runtime.chain, relayInvite);
  }

  async kick(roomId: string, userId: string): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'kick', subject }));
    await this.#ctx.relay.call({ t: 'room.kick', roomId, userId }, 'ok');
  }

  async ban(roomId: string, userId: string): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'ban', subject }));
    await this.#ctx.relay.call({ t: 'room.ban', roomId, userId }, 'ok');
  }

  async unban(roomId: string, userId: string): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'unban', subject }));
    await this.#ctx.relay.call({ t: 'room.unban', roomId, userId }, 'ok');
  }

  async setRole(roomId: string, userId: string, role: AssignableRoleT): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'role', subject, role }));
    await this.#ctx.relay.call({ t: 'room.role', roomId, userId, role }, 'ok');
  }

  async setHistory(roomId: string, history: RoomHistory): Promise<void> {
    await writeEntry(this.#roomOrThrow(roomId).chain, { op: 'history', history });
  }

  /** A room's membership entries from the relay (a member's change, or our mailbox). */
  async onMembershipMail(roomId: string, fromDevice: string, entries: Uint8Array): Promise<void> {
    await this.#opened;
    this.#rooms.get(roomId)?.chainSync.receiveMail(fromDevice, entries);
  }

  /** Closes every room's runtime (stored history stays) and stops watching for removals. */
  close(): void {
    this.#closed = true;
    for (const r of this.#rooms.values()) r.close();
    this.#rooms.clear();
    this.#removals.close();
  }

  #roomOrThrow(roomId: string): RoomRuntime {
    const runtime = this.#rooms.get(roomId);
    if (!runtime) throw new MembershipError('CHAIN_NO_ROOM');
    return runtime;
  }

  /** Signs a moderation entry about a user (by their pinned identity key) into the chain. */
  async #moderate(
    roomId: string,
    userId: string,
    op: (subjectIk: string) => MembershipOp,
  ): Promise<void> {
    const chain = this.#roomOrThrow(roomId).chain;
    await writeEntry(chain, op(await identityOf(this.#ctx.relay, this.#ctx.trust, userId)));
  }

  /**
   * Opens a room and tracks it. `unlessRemoved` (start-up): a room whose
   * stored chain ends with our removal stays closed even if the relay still
   * lists it — unless we are joining it again.
   */
  async #open(roomId: string, name: string): Promise<RoomRuntime>;
  async #open(
    roomId: string,
    name: string,
    opts: { unlessRemoved: true },
  ): Promise<RoomRuntime | null>;
  async #open(
    roomId: string,
    name: string,
    opts: { unlessRemoved?: boolean } = {},
  ): Promise<RoomRuntime | null> {
    const existing = this.#rooms.get(roomId);
    if (existing) return existing;
    const runtime = await RoomRuntime.open(this.#ctx, roomId);
    if (opts.unlessRemoved && this.#removals.removedByStoredChain(runtime)) {
      runtime.close();
      return null;
    }
    const raced = this.#rooms.get(roomId);
    if (raced) {
      runtime.close();
      return raced;
    }
    this.#rooms.set(roomId, runtime);
    this.#list.track(roomId, 'room', name, runtime.conversation);
    this.#removals.watch(runtime);
    await runtime.start();
    return runtime;
  }

  /** Closes a room we are out of and says so, once (whichever of chain and relay came first). */
  #removed(runtime: RoomRuntime, reason: RemovalReason, by: string | undefined): void {
    const roomId = runtime.roomId;
    if (this.#closed) return;
    const roomName =
      this.#list.summaries.value.find((c) => c.convId === roomId)?.title ??
      runtime.chain.state.value?.name ??
      roomId;
    this.#closeRoom(roomId);
    this.#onRemoved({ roomId, roomName, reason, ...(by ? { by } : {}) });
  }

  /**
   * Stops a room: links, presence, sync, and its place in the list. Its
   * stored history (messages, chain) is kept on purpose: the person may want
   * to read what was said before they were removed, and a later re-join
   * starts from it.
   */
  #closeRoom(roomId: string): void {
    this.#rooms.get(roomId)?.close();
    this.#rooms.delete(roomId);
    this.#list.forget(roomId);
  }
}
