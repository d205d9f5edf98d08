/**
 * Everything one DM needs while it is open: its mesh, DM presence, the DM
 * session (links, sealed mail) and the conversation (history, outbox).
 */

import { Conversation } from './conversation.ts';
import { checkKeys } from './directory.ts';
import { dmIdFor } from './dm-id.ts';
import { type DmPartner, DmPresence } from './dm-presence.ts';
import { DmSession } from './dm-session.ts';
import { type EngineContext, newMesh } from './engine-context.ts';
import type { ConversationFiles } from './files/conversation-files.ts';
import type { Mesh } from './mesh.ts';
import type { OpenedSealed } from './sealed-delivery.ts';

export class DmRuntime {
  readonly dmId: string;
  readonly partner: DmPartner;
  readonly mesh: Mesh;
  readonly presence: DmPresence;
  readonly session: DmSession;
  readonly conversation: Conversation;
  readonly files: ConversationFiles;
  readonly #ctx: EngineContext;

  constructor(ctx: EngineContext, partner: DmPartner) {
    this.#ctx = ctx;
    this.partner = partner;
    this.dmId = dmIdFor(ctx.me.userId, partner.userId);
    this.mesh = newMesh(ctx, this.dmId);
    this.presence = new DmPresence(ctx.relay, this.mesh, partner);
    const session = new DmSession({
      dmId: this.dmId,
      partner,
      relay: ctx.relay,
      mesh: this.mesh,
      trust: ctx.trust,
      me: { deviceId: ctx.me.deviceId, dk: ctx.me.dk, cert: ctx.me.cert },
      lookup: async () =>
        checkKeys(
          await ctx.relay.call({ t: 'keys.get', userId: partner.userId }, 'keys'),
          ctx.trust,
        ),
    });
    this.session = session;
    const mesh = this.mesh;
    this.conversation = new Conversation({
      convId: this.dmId,
      kind: 'dm',
      history: ctx.history,
      outbox: ctx.outbox,
      me: { ik: ctx.me.ikPk, deviceId: ctx.me.deviceId, dk: ctx.me.dk },
      transport: {
        send: async (signed, event) => (await session.send(signed, event)).linked,
        resendTo: (deviceId, signed) => session.sendTo(deviceId, signed),
        ack: (deviceId, ids) => session.ack(deviceId, ids),
        typing: (on) => session.typing(on),
        recipients: () => session.recipients(),
      },
    });
    const conversation = this.conversation;
    this.files = ctx.files.attach(this.dmId, this.mesh, conversation);
    const report = ctx.reportError;
    session.events.on('event', (e) => {
      conversation.receive(e.signed, e.event).catch(report);
    });
    session.events.on('ack', (deviceId, ids) => {
      conversation.acked(deviceId, ids).catch(report);
    });
    mesh.events.on('peerOpen', (member) => conversation.resendPending(member.deviceId));
  }

  /** Sealed mail for this DM (mailbox or live). Resolves once it is stored or refused. */
  async receiveMail(fromUserId: string, mail: OpenedSealed): Promise<void> {
    await this.session.receiveMail(fromUserId, mail);
  }

  async start(): Promise<void> {
    await this.conversation.load();
    await this.files.start();
    await this.presence.refresh(true);
  }

  close(): void {
    this.conversation.flush();
    this.#ctx.router.remove(this.dmId);
    this.#ctx.files.detach(this.dmId);
    this.session.close();
    this.presence.close();
    this.mesh.close();
  }
}
