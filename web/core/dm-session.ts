/**
 * One direct conversation. While both sides are online the events go over
 * the DM's links, which are forward secret per session; to a partner device
 * that is offline they go as sealed mail into its mailbox (CRYPTO.md "Direct
 * messages"). Whatever way an event comes, it is accepted only when its own
 * signature verifies for a device certified by the partner's pinned
 * identity key.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import type { ChatEvent } from '../../shared/events/event-schema.ts';
import { type SignedEvent, verifyEvent } from '../../shared/events/signed-event.ts';
import type { DirectoryEntry } from './directory.ts';
import type { DmPartner } from './dm-presence.ts';
import { Emitter } from './emitter.ts';
import { decodeLinkMessage, encodeLinkMessage, isFileMessage } from './link-messages.ts';
import type { Mesh } from './mesh.ts';
import type { RelayClient } from './relay-client.ts';
import { type OpenedSealed, sealedEnvelopeFor } from './sealed-delivery.ts';
import type { TrustStore } from './trust.ts';

export interface DmSessionOptions {
  dmId: string;
  partner: DmPartner;
  relay: RelayClient;
  mesh: Mesh;
  trust: TrustStore;
  me: { deviceId: string; dk: SigningKeyPair; cert: DeviceCert };
  /** The partner's keys, checked against the pin (keys.get → checkKeys). */
  lookup(): Promise<DirectoryEntry>;
}

export interface ReceivedDmEvent {
  event: ChatEvent;
  signed: SignedEvent;
  fromDeviceId: string;
  via: 'link' | 'mail';
}

export type DmRejectCode =
  | 'BAD_MESSAGE'
  | 'NOT_PARTNER'
  | 'UNVERIFIED_LINK'
  | 'IDENTITY_CHANGED'
  | 'WRONG_CONVERSATION'
  | string;

export type DmSessionEvents = {
  event: [received: ReceivedDmEvent];
  ack: [deviceId: string, ids: string[]];
  typing: [on: boolean];
  rejected: [fromDeviceId: string, code: DmRejectCode];
};

export class DmSession {
  readonly events = new Emitter<DmSessionEvents>();
  readonly dmId: string;
  readonly partner: DmPartner;
  readonly #opts: DmSessionOptions;
  readonly #off: () => void;

  constructor(opts: DmSessionOptions) {
    this.#opts = opts;
    this.dmId = opts.dmId;
    this.partner = opts.partner;
    this.#off = opts.mesh.events.on('message', (from, bytes) =>
      this.#onLinkMessage(from.deviceId, from.userId, bytes),
    );
  }

  /**
   * Sends over every open link to a partner device and seals it for the
   * partner's other devices. Refuses (throws) while the partner's key change
   * is unresolved: the person must decide before anything more is sent.
   */
  async send(
    signed: SignedEvent,
    event: ChatEvent,
  ): Promise<{ linked: string[]; sealed: string[] }> {
    if (!this.#opts.trust.canSendTo(this.partner.userId)) {
      throw new Error('parley/dm: the partner’s identity key changed; accept it before sending');
    }
    const wire = encodeLinkMessage({ t: 'direct', bytes: signed.bytes, sig: signed.sig });
    const linked = this.recipients().filter((id) => this.#opts.mesh.send(id, wire));
    const entry = await this.#opts.lookup();
    if (entry.state !== 'trusted') {
      throw new Error('parley/dm: the partner’s identity key changed; accept it before sending');
    }
    const sealed: string[] = [];
    for (const device of entry.devices) {
      if (linked.includes(device.deviceId)) continue;
      const envelope = sealedEnvelopeFor(
        { dk: this.#opts.me.dk, cert: this.#opts.me.cert },
        { ikPk: entry.ik, device },
        { msgId: event.id, ts: event.ts },
        { t: 'direct', bytes: signed.bytes, sig: signed.sig },
      );
      if (this.#opts.relay.sendBinary(envelope)) sealed.push(device.deviceId);
    }
    return { linked, sealed };
  }

  /** Sends a signed event again over the link to one partner device (outbox resend). */
  sendTo(deviceId: string, signed: SignedEvent): boolean {
    const peer = this.#opts.mesh.peers().find((p) => p.deviceId === deviceId);
    if (!peer?.verified || peer.userId !== this.partner.userId) return false;
    return this.#opts.mesh.send(
      deviceId,
      encodeLinkMessage({ t: 'direct', bytes: signed.bytes, sig: signed.sig }),
    );
  }

  /** Partner devices with a verified link now. */
  recipients(): string[] {
    return this.#opts.mesh
      .peers()
      .filter((p) => p.verified && p.userId === this.partner.userId)
      .map((p) => p.deviceId);
  }

  ack(deviceId: string, ids: string[]): boolean {
    return this.#opts.mesh.send(deviceId, encodeLinkMessage({ t: 'ack', ids }));
  }

  typing(on: boolean): void {
    const wire = encodeLinkMessage({ t: 'typing', on });
    for (const p of this.#opts.mesh.peers()) if (p.verified) this.#opts.mesh.send(p.deviceId, wire);
  }

  /** Sealed mail the engine opened for this DM (from the mailbox or live). */
  async receiveMail(fromUserId: string, mail: OpenedSealed): Promise<boolean> {
    const { from, content } = mail;
    if (fromUserId !== this.partner.userId || content.t !== 'direct') {
      this.events.emit('rejected', from.fromDeviceId, 'NOT_PARTNER');
      return false;
    }
    const seen = await this.#opts.trust.observe(
      this.partner.userId,
      this.partner.username,
      toB64(from.fromIkPk),
    );
    if (seen === 'changed') {
      this.events.emit('rejected', from.fromDeviceId, 'IDENTITY_CHANGED');
      return false;
    }
    return this.#accept(
      { bytes: content.bytes, sig: content.sig },
      from.fromDkPk,
      from.fromIkPk,
      from.fromDeviceId,
      'mail',
      from.msgId,
    );
  }

  close(): void {
    this.#off();
    this.events.clear();
  }

  #onLinkMessage(fromDeviceId: string, fromUserId: string, bytes: Uint8Array): void {
    if (fromUserId !== this.partner.userId) {
      this.events.emit('rejected', fromDeviceId, 'NOT_PARTNER');
      return;
    }
    if (isFileMessage(bytes)) return; // files/ handles these
    const msg = decodeLinkMessage(bytes);
    const peer = this.#opts.mesh.peerIdentity(fromDeviceId);
    if (!msg) {
      this.events.emit('rejected', fromDeviceId, 'BAD_MESSAGE');
      return;
    }
    if (!peer) {
      this.events.emit('rejected', fromDeviceId, 'UNVERIFIED_LINK');
      return;
    }
    if (msg.t === 'direct')
      this.#accept({ bytes: msg.bytes, sig: msg.sig }, peer.dkPk, peer.ikPk, fromDeviceId, 'link');
    else if (msg.t === 'ack') this.events.emit('ack', fromDeviceId, msg.ids);
    else if (msg.t === 'typing') this.events.emit('typing', msg.on);
    else this.events.emit('rejected', fromDeviceId, 'BAD_MESSAGE');
  }

  #accept(
    signed: SignedEvent,
    dkPk: Uint8Array,
    ikPk: Uint8Array,
    fromDeviceId: string,
    via: 'link' | 'mail',
    mailMsgId?: string,
  ): boolean {
    const checked = verifyEvent(signed, { dkPk, ikB64: toB64(ikPk) });
    if (!checked.ok) {
      this.events.emit('rejected', fromDeviceId, checked.code);
      return false;
    }
    // The event must belong to this DM, and mail must carry the event it names.
    if (
      checked.value.conv !== this.dmId ||
      (mailMsgId !== undefined && mailMsgId !== checked.value.id)
    ) {
      this.events.emit('rejected', fromDeviceId, 'WRONG_CONVERSATION');
      return false;
    }
    this.events.emit('event', { event: checked.value, signed, fromDeviceId, via });
    return true;
  }
}
