/**
 * File transfers of one conversation (room or DM): offers go out as signed
 * file events; everything else travels as file messages over the
 * conversation's links (file-messages.ts). Incoming files are fetched from
 * the offering device (here); outgoing files are streamed to every device
 * that asks (outgoing-files.ts). Each link loss stops the streams on it; when the link comes back
 * the receiver asks again from its last finished segment.
 */
import type { FileOffer } from '../../../shared/crypto/files.ts';
import type { Conversation } from '../conversation.ts';
import { isFileMessage } from '../link-messages.ts';
import type { Mesh } from '../mesh.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileHost } from './file-host.ts';
import type { FileSink, FileSource } from './file-io.ts';
import { decodeFileMessage, encodeFileMessage, type FileMessage } from './file-messages.ts';
import { IncomingTransfer } from './incoming-transfer.ts';
import { OutgoingFiles } from './outgoing-files.ts';
import { prepareOffer } from './share.ts';
import type { IncomingRecord } from './transfer-store.ts';
import { decodeOfferB64, incomingView, pauseState } from './transfer-views.ts';

type Incoming = {
  record: IncomingRecord;
  offer: FileOffer;
  transfer: IncomingTransfer | null;
  /** A request went out on the current link. */
  flowing: boolean;
  pausedByPeer: boolean;
  /** The sender said it cannot read the file yet (restarted): wait for it. */
  senderWaiting: boolean;
};

export class ConversationFiles {
  readonly convId: string;
  readonly #host: FileHost;
  readonly #mesh: Mesh;
  readonly #conversation: Conversation;
  readonly #outgoing: OutgoingFiles;
  readonly #incoming = new Map<string, Incoming>();
  readonly #offs: Array<() => void> = [];
  /** Whose file messages count (rooms: chain members; set by room-runtime.ts). */
  #admits: (deviceId: string) => boolean = () => true;

  constructor(host: FileHost, convId: string, mesh: Mesh, conversation: Conversation) {
    this.#host = host;
    this.convId = convId;
    this.#mesh = mesh;
    this.#conversation = conversation;
    this.#outgoing = new OutgoingFiles(host, convId, mesh, (deviceId, m) =>
      this.#send(deviceId, m),
    );
    this.#offs.push(
      mesh.events.on('message', (from, bytes) => {
        if (!isFileMessage(bytes)) return;
        // A non-member's requests and acks are refused unread (the room session reports NOT_MEMBER).
        if (!this.#admits(from.deviceId)) return;
        const m = decodeFileMessage(bytes);
        if (m) this.#onMessage(from.deviceId, m);
      }),
      mesh.events.on('peerOpen', (member) => this.#linkUp(member.deviceId)),
      mesh.events.on('peerClose', (member) => this.#linkDown(member.deviceId)),
      mesh.events.on('drain', () => this.#outgoing.wake()),
      conversation.events.on('received', (event) => {
        if (event.body.type === 'file') this.#onOffer(event.authorDevice, event.body.offer);
      }),
    );
  }

  /**
   * Only devices this predicate admits are heard (a room passes its chain's
   * membership: a linked non-member may neither fetch offers nor ack chunks).
   */
  admitOnly(admits: (deviceId: string) => boolean): void {
    this.#admits = admits;
  }

  /** Restores unfinished incoming transfers (after a reload); they resume when the link is up. */
  async start(): Promise<void> {
    await this.#outgoing.restore();
    for (const record of await this.#host.store.load(this.convId)) {
      const offer = decodeOfferB64(record.offer);
      if (!offer || this.#incoming.has(record.fileId)) continue;
      const inc = newIncoming(record, offer);
      this.#incoming.set(record.fileId, inc);
      this.#host.board.put(
        incomingView(this.convId, inc, record.state === 'offered' ? 'offered' : 'waiting'),
      );
      if (record.state !== 'offered') await this.#begin(inc, true);
      if (record.state === 'paused')
        this.#host.board.update(`in:${offer.fileId}`, { state: 'paused', pausedBy: 'me' });
    }
  }

  /** Hashes the source, posts the signed offer, and serves whoever asks for it. */
  async share(source: FileSource): Promise<string> {
    const offer = await prepareOffer(source, this.#host);
    await this.#outgoing.add(offer.encodedOffer, offer.b64, source);
    await this.#conversation.write({ type: 'file', offer: offer.b64 });
    return offer.encodedOffer.fileId;
  }

  async accept(fileId: string): Promise<void> {
    const inc = this.#incoming.get(fileId);
    if (inc?.record.state !== 'offered') throw new FileTransferError('FILE_BAD_STATE');
    if (!this.#host.settings.sinks) throw new FileTransferError('FILE_SINK_WRITE', 'no sink');
    inc.record.state = 'accepted';
    await this.#persist();
    await this.#begin(inc, false);
  }

  hasOffer(fileId: string): boolean {
    return this.#outgoing.has(fileId);
  }

  reattach(fileId: string, source: FileSource): Promise<void> {
    return this.#outgoing.reattach(fileId, source);
  }

  withdraw(fileId: string): Promise<void> {
    return this.#outgoing.withdraw(fileId);
  }

  async decline(fileId: string): Promise<void> {
    await this.#endIncoming(fileId, 'FILE_DECLINED', 'declined');
  }

  async cancel(id: string): Promise<void> {
    const [dir, fileId = '', deviceId = ''] = id.split(':');
    if (dir === 'in') return this.#endIncoming(fileId, 'FILE_CANCELLED', 'cancelled');
    this.#outgoing.cancel(fileId, deviceId);
  }

  async setPaused(id: string, on: boolean): Promise<void> {
    const [dir, fileId = '', deviceId = ''] = id.split(':');
    if (dir === 'out') {
      this.#outgoing.setPaused(fileId, deviceId, on);
      return;
    }
    const inc = this.#incoming.get(fileId);
    if (!inc?.transfer) throw new FileTransferError('FILE_BAD_STATE');
    inc.record.state = on ? 'paused' : 'accepted';
    await this.#persist();
    this.#send(inc.record.fromDevice, { t: 'pause', fileId, on });
    if (on) inc.transfer.unwatch();
    if (!inc.senderWaiting) this.#host.board.update(id, pauseState(on, inc.pausedByPeer));
    if (!on && !inc.flowing) this.#request(inc);
    else if (!on && !inc.pausedByPeer && !inc.senderWaiting) inc.transfer.watch();
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
    this.#outgoing.close();
    for (const inc of this.#incoming.values()) void inc.transfer?.close(false);
    this.#incoming.clear();
  }

  #onOffer(fromDevice: string, offerB64: string): void {
    if (fromDevice === this.#host.deviceId) return;
    const offer = decodeOfferB64(offerB64);
    if (!offer || this.#incoming.has(offer.fileId) || this.#outgoing.has(offer.fileId)) return;
    const s = this.#host.settings;
    const auto = !!s.sinks && offer.size <= s.autoAcceptBytes;
    const record: IncomingRecord = {
      fileId: offer.fileId,
      convId: this.convId,
      fromDevice,
      offer: offerB64,
      nextSegment: 0,
      state: auto ? 'accepted' : 'offered',
    };
    const inc = newIncoming(record, offer);
    this.#incoming.set(offer.fileId, inc);
    this.#host.board.put(incomingView(this.convId, inc, auto ? 'waiting' : 'offered'));
    void this.#persist()
      .then(() => (auto ? this.#begin(inc, false) : undefined))
      .catch((e: unknown) => this.#host.reportError(e));
  }

  async #begin(inc: Incoming, resume: boolean): Promise<void> {
    const sinks = this.#host.settings.sinks;
    if (!sinks) return;
    const { offer, record } = inc;
    const id = `in:${offer.fileId}`;
    const board = this.#host.board;
    let sink: FileSink;
    try {
      sink = await sinks.open(offer.fileId, offer, resume);
    } catch {
      // Storage full or refused: say so instead of waiting forever.
      this.#incoming.delete(offer.fileId);
      await this.#persist();
      board.update(id, { state: 'failed', error: 'FILE_SINK_WRITE' });
      return;
    }
    const stall = {
      timeoutMs: this.#host.settings.stallTimeoutMs,
      retries: this.#host.settings.stallRetries,
    };
    inc.transfer = new IncomingTransfer(
      offer,
      sink,
      record.nextSegment,
      {
        send: (m) => this.#send(record.fromDevice, m),
        segmentDone: (next) => {
          record.nextSegment = next;
          this.#persist().catch((e: unknown) => this.#host.reportError(e));
        },
        progress: (bytesDone) => board.update(id, { bytesDone }),
        rejected: () => undefined,
        finished: (result) => {
          this.#incoming.delete(offer.fileId);
          this.#persist().catch((e: unknown) => this.#host.reportError(e));
          if ('savedAs' in result) {
            this.#send(record.fromDevice, { t: 'done', fileId: offer.fileId });
            board.update(id, { state: 'complete', bytesDone: offer.size, savedAs: result.savedAs });
          } else {
            this.#send(record.fromDevice, {
              t: 'cancel',
              fileId: offer.fileId,
              code: result.error.code,
            });
            board.update(id, { state: 'failed', error: result.error.code });
          }
        },
      },
      stall,
    );
    board.update(id, { bytesDone: inc.transfer.bytesDone });
    if (record.state === 'accepted' && this.#mesh.pathTo(record.fromDevice)) this.#request(inc);
  }

  #request(inc: Incoming): void {
    if (!inc.transfer) return;
    inc.flowing = true;
    inc.senderWaiting = false;
    inc.transfer.request();
    if (inc.pausedByPeer) inc.transfer.unwatch();
    this.#host.board.update(`in:${inc.offer.fileId}`, {
      state: inc.pausedByPeer ? 'paused' : 'active',
    });
  }

  #linkUp(deviceId: string): void {
    for (const inc of this.#incoming.values()) {
      if (inc.record.fromDevice === deviceId && inc.record.state === 'accepted') this.#request(inc);
    }
    this.#outgoing.wake();
  }

  #linkDown(deviceId: string): void {
    const board = this.#host.board;
    for (const inc of this.#incoming.values()) {
      if (inc.record.fromDevice !== deviceId || !inc.transfer) continue;
      inc.flowing = false;
      inc.senderWaiting = false;
      inc.transfer.linkLost();
      if (inc.record.state === 'accepted')
        board.update(`in:${inc.offer.fileId}`, { state: 'waiting' });
    }
    this.#outgoing.linkDown(deviceId);
  }

  #onMessage(from: string, m: FileMessage): void {
    if (this.#outgoing.onMessage(from, m)) return;
    const inc = this.#incoming.get(m.fileId);
    // Only the device that offered the file speaks for it.
    if (!inc || inc.record.fromDevice !== from) return;
    const board = this.#host.board;
    const mine = inc.record.state === 'paused';
    switch (m.t) {
      case 'header':
        if (inc.senderWaiting) {
          // The sender has the file again (re-attached): data flows.
          inc.senderWaiting = false;
          board.update(`in:${m.fileId}`, pauseState(mine, inc.pausedByPeer));
          if (!mine && !inc.pausedByPeer) inc.transfer?.watch();
        }
        inc.transfer?.onHeader(m.segment, m.header);
        return;
      case 'chunk':
        inc.transfer?.onChunk(m.segment, m.chunk);
        return;
      case 'pause':
        inc.pausedByPeer = m.on;
        if (!inc.senderWaiting) board.update(`in:${m.fileId}`, pauseState(mine, m.on));
        if (m.on) inc.transfer?.unwatch();
        else if (!mine && inc.flowing && !inc.senderWaiting) inc.transfer?.watch();
        return;
      case 'unavailable':
        // Kept, not cancelled: the sender restarted and has not got the file back yet.
        inc.senderWaiting = true;
        inc.transfer?.unwatch();
        board.update(`in:${m.fileId}`, { state: 'waiting-for-sender' });
        return;
      case 'cancel':
        void this.#endIncoming(m.fileId, 'FILE_CANCELLED_BY_PEER', 'cancelled', false);
        return;
      default:
        return;
    }
  }

  async #endIncoming(
    fileId: string,
    code: 'FILE_DECLINED' | 'FILE_CANCELLED' | 'FILE_CANCELLED_BY_PEER',
    state: 'declined' | 'cancelled',
    tell = true,
  ): Promise<void> {
    const inc = this.#incoming.get(fileId);
    if (!inc) throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
    this.#incoming.delete(fileId);
    if (tell) this.#send(inc.record.fromDevice, { t: 'cancel', fileId, code });
    await inc.transfer?.close(true);
    await this.#persist();
    this.#host.board.update(`in:${fileId}`, { state, error: tell ? null : code });
  }

  #send(deviceId: string, m: FileMessage): void {
    this.#mesh.send(deviceId, encodeFileMessage(m));
  }

  #persist(): Promise<void> {
    return this.#host.store.save(
      this.convId,
      [...this.#incoming.values()].map((i) => i.record),
    );
  }
}

function newIncoming(record: IncomingRecord, offer: FileOffer): Incoming {
  return {
    record,
    offer,
    transfer: null,
    flowing: false,
    pausedByPeer: false,
    senderWaiting: false,
  };
}
