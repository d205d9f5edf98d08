/**
 * The engine's front door (the API the UI uses; web/core/README.md). Given a
 * signed-in device (account module) and its unlocked history, it connects to
 * the relay, opens every room and DM, and exposes what the UI shows as
 * signals: the connection, the conversation list with unread counts, and per
 * conversation the messages, members and typing.
 */
import { type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import { fromUtf8, utf8 } from '../../shared/crypto/encoding.ts';
import type { EventBody } from '../../shared/events/event-schema.ts';
import type { MembershipOp, RoomHistory } from '../../shared/events/membership-schema.ts';
import type { AssignableRoleT, VisibilityT } from '../../shared/protocol/fields.ts';
import type { RoomSummaryT } from '../../shared/protocol/relay-messages.ts';
import { CertCache } from './cert-cache.ts';
import type { Conversation } from './conversation.ts';
import { ConversationList, type ConversationSummary } from './conversation-list.ts';
import type { DmPartner } from './dm-presence.ts';
import { DmRuntime } from './dm-runtime.ts';
import { Emitter } from './emitter.ts';
import {
  type DeviceAccount,
  type EngineContext,
  type MeshSettings,
  meIkB64,
} from './engine-context.ts';
import type { FileSource } from './files/file-io.ts';
import { FileService } from './files/file-service.ts';
import type { FileSettings } from './files/file-settings.ts';
import type { HistoryStore } from './history/history-store.ts';
import { MailboxCollector } from './mailbox.ts';
import { Outbox } from './outbox.ts';
import { RelayClient, type RelayState, type WebSocketFactory } from './relay-client.ts';
import { fetchIceServers, fetchMaxFileBytes } from './relay-config.ts';
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
import { Router } from './router.ts';
import { openSealed } from './sealed-delivery.ts';
import { type PinRecord, type PinStorage, TrustStore } from './trust.ts';

export interface ParleyClientOptions {
  /** ws:// or wss:// URL of the relay's /ws. */
  relayUrl: string;
  account: DeviceAccount;
  history: HistoryStore;
  /** Node passes `ws`; browsers use their WebSocket. */
  createSocket?: WebSocketFactory;
  /** ICE servers default to the relay's /config. */
  mesh?: Partial<MeshSettings>;
  /** Where incoming files go (a sink factory), auto-accept size, limits. */
  files?: Partial<FileSettings>;
}

export type { ConversationSummary, RemovalReason, RoomRemoval };
/** Thrown by membership operations the room's chain refuses; `code` is stable (UI strings). */
export { MembershipError };

export type ClientEvents = {
  /** Background work failed (storing a message, recording an ack): for logs and a banner. */
  error: [error: unknown];
  /**
   * This user is out of a room — kicked, banned (by the room's chain, or
   * the relay's notice once the relay refuses to route us), or left from
   * another device. The room is closed and gone from `conversations`; its
   * history stays on this device. Once per removal.
   */
  removed: [removal: RoomRemoval];
};

/** Privacy switches (ARCHITECTURE.md: typing and read receipts are opt-out). */
export interface PrivacySettings {
  sendTypingIndicators: boolean;
  sendReadReceipts: boolean;
}

export const DEFAULT_PRIVACY: PrivacySettings = {
  sendTypingIndicators: true,
  sendReadReceipts: true,
};

/** While someone keeps typing, "on" is repeated this often (receivers expire it). */
const TYPING_REFRESH_MS = 3_000;
const TYPING_SWEEP_MS = 1_000;

const DM_PARTNERS_KEY = 'engine/dm-partners';
const SETTINGS_KEY = 'engine/privacy';
const PINS_KEY = 'engine/pins';

export class ParleyClient {
  readonly relay: RelayClient;
  readonly trust: TrustStore;
  /** File sharing: transfers (a signal), accept / decline / pause / resume / cancel by id. */
  readonly files: FileService;
  readonly #ctx: EngineContext;
  readonly #rooms = new Map<string, RoomRuntime>();
  readonly #dms = new Map<string, DmRuntime>();
  readonly #connection: Signal<RelayState>;
  readonly #list = new ConversationList();
  readonly #mailbox: MailboxCollector;
  /** Notices that this user is out of a room (chain entry, or relay notice the relay backs). */
  readonly #removals: RemovalWatch;
  readonly #privacy: Signal<PrivacySettings> = signal(DEFAULT_PRIVACY);
  readonly events = new Emitter<ClientEvents>();
  #closed = false;
  readonly #typingSentAt = new Map<string, number>();
  readonly #sweep: ReturnType<typeof setInterval>;
  /** Every room is open: membership mail collected at login waits for its room. */
  readonly #opened: Promise<void>;
  #markOpened: () => void = () => {};
  readonly conversations: ReadonlySignal<ConversationSummary[]>;

  private constructor(ctx: EngineContext, mailbox: MailboxCollector) {
    this.#ctx = ctx;
    this.relay = ctx.relay;
    this.trust = ctx.trust;
    this.files = ctx.files;
    this.#mailbox = mailbox;
    this.#connection = signal(ctx.relay.state);
    ctx.relay.events.on('state', (s) => {
      this.#connection.value = s;
    });
    this.#removals = new RemovalWatch({
      relay: ctx.relay,
      trust: ctx.trust,
      me: { userId: ctx.me.userId, ik: meIkB64(ctx), deviceId: ctx.me.deviceId },
      openRoom: (roomId) => this.#rooms.get(roomId),
      onRemoved: (runtime, reason, by) => this.#removed(runtime, reason, by),
    });
    this.#sweep = setInterval(() => {
      for (const r of [...this.#rooms.values(), ...this.#dms.values()])
        r.conversation.expireTyping();
    }, TYPING_SWEEP_MS);
    this.conversations = this.#list.summaries;
    this.#opened = new Promise((resolve) => {
      this.#markOpened = resolve;
    });
  }

  /** Connects, logs this device in, and opens every room and DM it has. */
  static async start(opts: ParleyClientOptions): Promise<ParleyClient> {
    const history = opts.history;
    const relay = new RelayClient({
      url: opts.relayUrl,
      ...(opts.createSocket ? { createSocket: opts.createSocket } : {}),
    });
    const trust = await TrustStore.open(kvPinStorage(history));
    const outbox = await Outbox.open(history);
    const mailbox = new MailboxCollector(relay);
    let client: ParleyClient | null = null;
    const router = new Router(relay, {
      mailbox,
      sealed: (from, box) => (client ? client.#onSealed(from.userId, box) : undefined),
      membership: (roomId, from, entries) =>
        client ? client.#onMembershipMail(roomId, from.deviceId, entries) : undefined,
    });
    const iceServers = opts.mesh?.iceServers ?? (await fetchIceServers(opts.relayUrl));
    const ctx: EngineContext = {
      relay,
      router,
      trust,
      history,
      outbox,
      me: opts.account,
      mesh: { webrtc: true, ...opts.mesh, iceServers },
      certs: new CertCache(),
      files: new FileService({
        history,
        deviceId: opts.account.deviceId,
        ...(opts.files ? { settings: opts.files } : {}),
        fetchMaxFileBytes: () => fetchMaxFileBytes(opts.relayUrl),
        reportError: (error) => ctx.reportError(error),
      }),
      reportError: (error) => {
        if (client) client.#reportError(error);
      },
    };
    client = new ParleyClient(ctx, mailbox);
    const saved = await history.kvGet(SETTINGS_KEY);
    if (saved)
      client.#privacy.value = {
        ...DEFAULT_PRIVACY,
        ...(JSON.parse(fromUtf8(saved)) as Partial<PrivacySettings>),
      };
    await relay.login({ device: opts.account.dk, cert: opts.account.cert });
    try {
      await client.#openAll();
    } finally {
      client.#markOpened();
    }
    return client;
  }

  /** This device's own identity (safety numbers, "you" in member lists). Copies: not for writing. */
  get me(): { userId: string; username: string; deviceId: string; ikPk: Uint8Array } {
    const me = this.#ctx.me;
    return {
      userId: me.userId,
      username: me.username,
      deviceId: me.deviceId,
      ikPk: me.ikPk.slice(),
    };
  }

  get connection(): ReadonlySignal<RelayState> {
    return this.#connection;
  }

  conversation(convId: string): Conversation | undefined {
    return (this.#rooms.get(convId) ?? this.#dms.get(convId))?.conversation;
  }

  room(roomId: string): RoomRuntime | undefined {
    return this.#rooms.get(roomId);
  }

  dm(convId: string): DmRuntime | undefined {
    return this.#dms.get(convId);
  }

  /**
   * Creates a room and its membership chain (we are the owner). `history`:
   * whether new members may backfill what came before their join (default
   * `shared`). A private room's invite carries a chain invite secret too.
   */
  async createRoom(
    name: string,
    visibility: VisibilityT,
    options: { history?: RoomHistory } = {},
  ): Promise<{ roomId: string; invite?: string }> {
    const reply = await this.relay.call({ t: 'room.create', name, visibility }, 'room.created');
    const runtime = await this.#openRoom(reply.room.id, reply.room.name);
    const created = runtime.chain.create(reply.room.name, visibility, options.history ?? 'shared');
    if (!created.ok && created.code !== 'CHAIN_EXISTS') throw new MembershipError(created.code);
    return reply.invite
      ? { roomId: reply.room.id, invite: chainInvite(runtime.chain, reply.invite) }
      : { roomId: reply.room.id };
  }

  /**
   * Joins at the relay (routing), then writes our signed join entry once a
   * member hands us the room's chain; resolves when the chain has us, or
   * after a bounded wait when no member is online (the join completes later).
   */
  async joinRoom(roomId: string, invite?: string): Promise<void> {
    const [relayInvite, secret] = splitInvite(invite);
    const reply = await this.relay.call(
      relayInvite ? { t: 'room.join', roomId, invite: relayInvite } : { t: 'room.join', roomId },
      'room.joined',
    );
    const runtime = await this.#openRoom(reply.room.id, reply.room.name);
    await runtime.intendToJoin(secret);
    const me = this.#ctx.me.userId;
    const othersOnline = runtime.presence
      .members()
      .some((m) => m.userId !== me && m.online.length > 0);
    await runtime.untilMember(othersOnline ? ROOM_ADMIN_DEFAULTS.joinWaitMs : 0);
  }

  async leaveRoom(roomId: string): Promise<void> {
    const runtime = this.#rooms.get(roomId);
    // The owner cannot leave (the relay says OWNER_CANNOT_LEAVE; the chain agrees).
    const myRole = runtime?.chain.roleOf(runtime.chain.myIk);
    await this.#removals.leaving(roomId, async () => {
      if (runtime && myRole && myRole !== 'owner') {
        // The signed leave goes out (links and relay) before the relay forgets us.
        await writeEntry(runtime.chain, { op: 'leave' });
      }
      await this.relay.call({ t: 'room.leave', roomId }, 'ok');
      this.#closeRoom(roomId);
    });
  }

  /** Public rooms anyone can join (name, id, member count). */
  async publicRooms(): Promise<RoomSummaryT[]> {
    return (await this.relay.call({ t: 'room.public' }, 'room.public.ok')).rooms;
  }

  /**
   * A fresh invite code for a room (owner or admin); the link is
   * `#/join/<roomId>/<invite>`. The code is the relay's invite and, after a
   * dot, the secret behind a signed `invite` entry in the room's chain.
   */
  async createInvite(roomId: string): Promise<string> {
    const runtime = this.#roomOrThrow(roomId);
    if (!runtime.chain.isModerator(runtime.chain.myIk))
      throw new MembershipError('CHAIN_FORBIDDEN');
    const relayInvite = (await this.relay.call({ t: 'room.invite', roomId }, 'room.invite.ok'))
      .invite;
    return chainInvite(runtime.chain, relayInvite);
  }

  /** Moderation (owner/admin): removes a member by a signed chain entry; sender keys rotate. */
  async kick(roomId: string, userId: string): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'kick', subject }));
    await this.relay.call({ t: 'room.kick', roomId, userId }, 'ok');
  }

  /** Moderation (owner/admin): removes a member and keeps them out. */
  async ban(roomId: string, userId: string): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'ban', subject }));
    await this.relay.call({ t: 'room.ban', roomId, userId }, 'ok');
  }

  async unban(roomId: string, userId: string): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'unban', subject }));
    await this.relay.call({ t: 'room.unban', roomId, userId }, 'ok');
  }

  /** Moderation (owner): promote to admin or demote to member. */
  async setRole(roomId: string, userId: string, role: AssignableRoleT): Promise<void> {
    await this.#moderate(roomId, userId, (subject) => ({ op: 'role', subject, role }));
    await this.relay.call({ t: 'room.role', roomId, userId, role }, 'ok');
  }

  /** Owner: whether members who join from now on may backfill what came before their join. */
  async setRoomHistory(roomId: string, history: RoomHistory): Promise<void> {
    await writeEntry(this.#roomOrThrow(roomId).chain, { op: 'history', history });
  }

  editMessage(convId: string, target: string, text: string): Promise<string> {
    return this.write(convId, { type: 'edit', target, text });
  }

  /** Deletes a message: one's own, or (moderators) anyone's in a room. */
  deleteMessage(convId: string, target: string): Promise<string> {
    return this.write(convId, { type: 'delete', target });
  }

  /** Adds (on) or removes (off) one's reaction with an emoji. */
  react(convId: string, target: string, emoji: string, on: boolean): Promise<string> {
    return this.write(convId, { type: 'reaction', target, emoji, on });
  }

  /** Opens (or returns) the DM with a user; resolves to its conversation id. */
  async openDm(username: string): Promise<string> {
    const reply = await this.relay.call({ t: 'dm.open', username }, 'dm.ok');
    return (await this.#openDm({ userId: reply.userId, username: reply.username })).dmId;
  }

  /** Writes an event in a conversation (text, edit, delete, reaction, receipt). */
  async write(convId: string, body: EventBody): Promise<string> {
    const conversation = this.conversation(convId);
    if (!conversation) throw new Error(`parley/client: no conversation ${convId}`);
    return (await conversation.write(body)).id;
  }

  sendText(convId: string, text: string, replyTo?: string): Promise<string> {
    return this.write(convId, replyTo ? { type: 'text', text, replyTo } : { type: 'text', text });
  }

  /** Shares a file in a room or DM; resolves to its fileId once the signed offer is posted. */
  shareFile(convId: string, source: FileSource): Promise<string> {
    return this.files.share(convId, source);
  }

  get privacy(): ReadonlySignal<PrivacySettings> {
    return this.#privacy;
  }

  async setPrivacy(change: Partial<PrivacySettings>): Promise<void> {
    this.#privacy.value = { ...this.#privacy.value, ...change };
    await this.#ctx.history.kvPut(SETTINGS_KEY, utf8(JSON.stringify(this.#privacy.value)));
  }

  /**
   * The person is typing (call on input) or stopped (on send, clear, blur).
   * Nothing is sent when typing indicators are switched off.
   */
  setTyping(convId: string, on: boolean): void {
    const conversation = this.conversation(convId);
    if (!conversation || !this.#privacy.value.sendTypingIndicators) return;
    const last = this.#typingSentAt.get(convId) ?? 0;
    const now = Date.now();
    if (on && now - last < TYPING_REFRESH_MS) return;
    if (!on && last === 0) return;
    this.#typingSentAt.set(convId, on ? now : 0);
    conversation.setTyping(on);
  }

  /**
   * The person has seen the conversation: unread goes to zero, and others'
   * messages get a read receipt unless read receipts are switched off.
   */
  async markRead(convId: string): Promise<void> {
    this.#list.markRead(convId);
    const conversation = this.conversation(convId);
    if (!conversation || !this.#privacy.value.sendReadReceipts) return;
    const me = this.#ctx.me;
    const myIk = meIkB64(this.#ctx);
    const unreadByMe = conversation.messages.value
      .filter((m) => m.authorIk !== myIk && !m.deleted && m.receipts[me.deviceId] !== 'read')
      .map((m) => m.id)
      .slice(-256);
    if (unreadByMe.length)
      await conversation.write({ type: 'receipt', kind: 'read', targets: unreadByMe });
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const r of this.#rooms.values()) r.close();
    for (const d of this.#dms.values()) d.close();
    this.#rooms.clear();
    this.#dms.clear();
    this.files.close();
    this.#mailbox.close();
    this.#removals.close();
    this.#ctx.router.close();
    this.relay.close();
  }

  #reportError(error: unknown): void {
    // Work still in flight when the client closed fails as closed: not news.
    if (this.#closed) return;
    this.events.emit('error', error);
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
    await writeEntry(chain, op(await identityOf(this.relay, this.trust, userId)));
  }

  /** A room's membership entries from the relay (a member's change, or our mailbox). */
  async #onMembershipMail(roomId: string, fromDevice: string, entries: Uint8Array): Promise<void> {
    await this.#opened;
    this.#rooms.get(roomId)?.chainSync.receiveMail(fromDevice, entries);
  }

  async #openAll(): Promise<void> {
    const list = await this.relay.call({ t: 'room.list' }, 'room.list.ok');
    for (const room of list.rooms)
      await this.#openRoom(room.id, room.name, { unlessRemoved: true });
    for (const partner of await this.#startupPartners()) await this.#openDm(partner);
  }

  /**
   * Whom to open DMs with at start: the partners this device remembers, then
   * those the relay lists (`dm.list`) that it does not — a new browser
   * remembers none. The relay's entries are only names to open: keys still
   * come from keys.get and meet the pins like any DM's, and a userId we
   * remember keeps our name for it.
   */
  async #startupPartners(): Promise<DmPartner[]> {
    const partners = await this.#rememberedPartners();
    let listed: DmPartner[] = [];
    try {
      listed = (await this.relay.call({ t: 'dm.list' }, 'dm.list.ok')).partners;
    } catch (error) {
      // An older relay (UNKNOWN_TYPE) or a refused request: what we remember still opens.
      this.#reportError(error);
    }
    const known = new Set([this.#ctx.me.userId, ...partners.map((p) => p.userId)]);
    for (const { userId, username } of listed) {
      if (known.has(userId)) continue;
      known.add(userId);
      partners.push({ userId, username });
    }
    return partners;
  }

  /**
   * Opens a room and tracks it. `unlessRemoved` (start-up): a room whose
   * stored chain ends with our removal stays closed even if the relay still
   * lists it — unless we are joining it again.
   */
  async #openRoom(roomId: string, name: string): Promise<RoomRuntime>;
  async #openRoom(
    roomId: string,
    name: string,
    opts: { unlessRemoved: true },
  ): Promise<RoomRuntime | null>;
  async #openRoom(
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
    this.events.emit('removed', { roomId, roomName, reason, ...(by ? { by } : {}) });
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

  async #openDm(partner: DmPartner): Promise<DmRuntime> {
    const existing = [...this.#dms.values()].find((d) => d.partner.userId === partner.userId);
    if (existing) return existing;
    const runtime = new DmRuntime(this.#ctx, partner);
    this.#dms.set(runtime.dmId, runtime);
    this.#list.track(runtime.dmId, 'dm', partner.username, runtime.conversation);
    await this.#rememberPartner(partner);
    await runtime.start();
    return runtime;
  }

  /** Sealed mail: a first-contact DM opens its conversation on arrival. */
  async #onSealed(fromUserId: string, box: Uint8Array): Promise<void> {
    const me = this.#ctx.me;
    const opened = openSealed(box, me.prekeys, me.ikPk);
    if (!opened.ok || opened.value.content.t !== 'direct') return;
    let runtime = [...this.#dms.values()].find((d) => d.partner.userId === fromUserId);
    if (!runtime) {
      const keys = await this.relay.call({ t: 'keys.get', userId: fromUserId }, 'keys');
      runtime = await this.#openDm({ userId: keys.userId, username: keys.username });
    }
    await runtime.receiveMail(fromUserId, opened.value);
  }

  async #rememberedPartners(): Promise<DmPartner[]> {
    const raw = await this.#ctx.history.kvGet(DM_PARTNERS_KEY);
    return raw ? (JSON.parse(fromUtf8(raw)) as DmPartner[]) : [];
  }

  async #rememberPartner(partner: DmPartner): Promise<void> {
    const known = await this.#rememberedPartners();
    if (known.some((p) => p.userId === partner.userId)) return;
    await this.#ctx.history.kvPut(DM_PARTNERS_KEY, utf8(JSON.stringify([...known, partner])));
  }
}

/** Trust pins kept in the encrypted history kv store. */
function kvPinStorage(history: HistoryStore): PinStorage {
  const load = async (): Promise<PinRecord[]> => {
    const raw = await history.kvGet(PINS_KEY);
    return raw ? (JSON.parse(fromUtf8(raw)) as PinRecord[]) : [];
  };
  return {
    loadAll: load,
    async save(record) {
      const all = (await load()).filter((r) => r.userId !== record.userId);
      await history.kvPut(PINS_KEY, utf8(JSON.stringify([...all, record])));
    },
  };
}
