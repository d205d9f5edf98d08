/**
 * The engine's front door (the API the UI uses; web/core/README.md). Given a
 * signed-in device (account module) and its unlocked history, it connects to
 * the relay, opens every room and DM, and exposes what the UI shows as
 * signals: the connection, the conversation list with unread counts, and per
 * conversation the messages, members and typing.
 *
 * This file keeps the public API in one place; the work is in
 * client-wiring.ts (building the engine's parts), client-rooms.ts (rooms,
 * membership, moderation), client-dms.ts (DM partners) and
 * client-privacy.ts (typing indicators, read receipts).
 */
import { type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import type { EventBody } from '../../shared/events/event-schema.ts';
import type { RoomHistory } from '../../shared/events/membership-schema.ts';
import type { AssignableRoleT, VisibilityT } from '../../shared/protocol/fields.ts';
import type { RoomSummaryT } from '../../shared/protocol/relay-messages.ts';
import { ClientDms } from './client-dms.ts';
import { ClientPrivacy, type PrivacySettings } from './client-privacy.ts';
import { ClientRooms } from './client-rooms.ts';
import { assembleEngine, type ParleyClientOptions } from './client-wiring.ts';
import type { Conversation } from './conversation.ts';
import { ConversationList, type ConversationSummary } from './conversation-list.ts';
import type { DmRuntime } from './dm-runtime.ts';
import { Emitter } from './emitter.ts';
import type { EngineContext } from './engine-context.ts';
import type { FileSource } from './files/file-io.ts';
import type { FileService } from './files/file-service.ts';
import type { MailboxCollector } from './mailbox.ts';
import type { RelayClient, RelayState } from './relay-client.ts';
import { MembershipError } from './room-chain.ts';
import type { RemovalReason, RoomRemoval } from './room-removal.ts';
import type { RoomRuntime } from './room-runtime.ts';
import type { TrustStore } from './trust.ts';

export type { ConversationSummary, ParleyClientOptions, RemovalReason, RoomRemoval };
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

export { DEFAULT_PRIVACY } from './client-privacy.ts';
export type { PrivacySettings };

export class ParleyClient {
  readonly relay: RelayClient;
  readonly trust: TrustStore;
  /** File sharing: transfers (a signal), accept / decline / pause / resume / cancel by id. */
  readonly files: FileService;
  readonly #ctx: EngineContext;
  readonly #connection: Signal<RelayState>;
  readonly #list = new ConversationList();
  readonly #mailbox: MailboxCollector;
  readonly #rooms: ClientRooms;
  readonly #dms: ClientDms;
  readonly #privacy: ClientPrivacy;
  readonly events = new Emitter<ClientEvents>();
  #closed = false;
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
    this.#rooms = new ClientRooms(ctx, this.#list, (removal) =>
      this.events.emit('removed', removal),
    );
    this.#dms = new ClientDms(ctx, this.#list);
    this.#privacy = new ClientPrivacy(ctx, () =>
      [...this.#rooms.runtimes(), ...this.#dms.runtimes()].map((r) => r.conversation),
    );
    this.conversations = this.#list.summaries;
  }

  /** Connects, logs this device in, and opens every room and DM it has. */
  static async start(opts: ParleyClientOptions): Promise<ParleyClient> {
    let client: ParleyClient | null = null;
    const { ctx, mailbox } = await assembleEngine(opts, {
      sealed: (fromUserId, box) => (client ? client.#dms.onSealed(fromUserId, box) : undefined),
      membership: (roomId, fromDeviceId, entries) =>
        client ? client.#rooms.onMembershipMail(roomId, fromDeviceId, entries) : undefined,
      reportError: (error) => {
        if (client) client.#reportError(error);
      },
    });
    client = new ParleyClient(ctx, mailbox);
    await client.#privacy.load();
    await ctx.relay.login({ device: opts.account.dk, cert: opts.account.cert });
    try {
      await client.#rooms.openAll();
      await client.#dms.openAll();
    } finally {
      client.#rooms.markOpened();
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
  createRoom(
    name: string,
    visibility: VisibilityT,
    options: { history?: RoomHistory } = {},
  ): Promise<{ roomId: string; invite?: string }> {
    return this.#rooms.create(name, visibility, options);
  }

  /**
   * Joins at the relay (routing), then writes our signed join entry once a
   * member hands us the room's chain; resolves when the chain has us, or
   * after a bounded wait when no member is online (the join completes later).
   */
  joinRoom(roomId: string, invite?: string): Promise<void> {
    return this.#rooms.join(roomId, invite);
  }

  leaveRoom(roomId: string): Promise<void> {
    return this.#rooms.leave(roomId);
  }

  /** Public rooms anyone can join (name, id, member count). */
  publicRooms(): Promise<RoomSummaryT[]> {
    return this.#rooms.publicRooms();
  }

  /**
   * A fresh invite code for a room (owner or admin); the link is
   * `#/join/<roomId>/<invite>`. The code is the relay's invite and, after a
   * dot, the secret behind a signed `invite` entry in the room's chain.
   */
  createInvite(roomId: string): Promise<string> {
    return this.#rooms.createInvite(roomId);
  }

  /** Moderation (owner/admin): removes a member by a signed chain entry; sender keys rotate. */
  kick(roomId: string, userId: string): Promise<void> {
    return this.#rooms.kick(roomId, userId);
  }

  /** Moderation (owner/admin): removes a member and keeps them out. */
  ban(roomId: string, userId: string): Promise<void> {
    return this.#rooms.ban(roomId, userId);
  }

  unban(roomId: string, userId: string): Promise<void> {
    return this.#rooms.unban(roomId, userId);
  }

  /** Moderation (owner): promote to admin or demote to member. */
  setRole(roomId: string, userId: string, role: AssignableRoleT): Promise<void> {
    return this.#rooms.setRole(roomId, userId, role);
  }

  /** Owner: whether members who join from now on may backfill what came before their join. */
  setRoomHistory(roomId: string, history: RoomHistory): Promise<void> {
    return this.#rooms.setHistory(roomId, history);
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
  openDm(username: string): Promise<string> {
    return this.#dms.openWith(username);
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
    return this.#privacy.settings;
  }

  setPrivacy(change: Partial<PrivacySettings>): Promise<void> {
    return this.#privacy.set(change);
  }

  /**
   * The person is typing (call on input) or stopped (on send, clear, blur).
   * Nothing is sent when typing indicators are switched off.
   */
  setTyping(convId: string, on: boolean): void {
    this.#privacy.setTyping(convId, this.conversation(convId), on);
  }

  /**
   * The person has seen the conversation: unread goes to zero, and others'
   * messages get a read receipt unless read receipts are switched off.
   */
  async markRead(convId: string): Promise<void> {
    this.#list.markRead(convId);
    await this.#privacy.sendReadReceipts(this.conversation(convId));
  }

  close(): void {
    this.#closed = true;
    this.#privacy.close();
    this.#rooms.close();
    this.#dms.close();
    this.files.close();
    this.#mailbox.close();
    this.#ctx.router.close();
    this.relay.close();
  }

  #reportError(error: unknown): void {
    // Work still in flight when the client closed fails as closed: not news.
    if (this.#closed) return;
    this.events.emit('error', error);
  }
}
