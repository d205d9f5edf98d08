/**
 * The files this device offered in one conversation, and a stream per
 * device that asked for one (outgoing-stream.ts), all sent by one pump.
 * Requests drive everything: the first one creates the stream, later ones
 * (after a lost link, a reload or a rejected chunk) restart it at the
 * segment asked for.
 *
 * Offers outlive a restart of this device: each is kept in the encrypted kv
 * store with what reopens its source (settings.sources). After a restart
 * the source is reopened and checked against the offer's size and hash
 * before a byte is served; until then (or when it cannot be reopened and
 * waits for `reattach`) recipients are told `unavailable`, so they wait
 * instead of giving up.
 */
import type { FileOffer } from '../../../shared/crypto/files.ts';
import type { Mesh } from '../mesh.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileHost } from './file-host.ts';
import type { FileSource, FileSourceStore } from './file-io.ts';
import type { FileMessage } from './file-messages.ts';
import {
  type MissingReason,
  matchesOffer,
  needsSourceView,
  rememberSource,
  reopenChecked,
} from './offer-sources.ts';
import { OutgoingStream } from './outgoing-stream.ts';
import { SendPump } from './send-pump.ts';
import type { TransferView } from './transfer-board.ts';
import type { OutgoingRecord } from './transfer-store.ts';
import { decodeOfferB64, outgoingView, pauseState } from './transfer-views.ts';

/** An offer is served this long after it was posted (then forgotten at the next start). */
export const OUTGOING_KEEP_MS = 7 * 24 * 60 * 60 * 1000;

type Offered = {
  offer: FileOffer;
  record: OutgoingRecord;
  /** Null after a restart until the source is reopened and verified, or re-attached. */
  source: FileSource | null;
  /** We opened the source (reopened from a ref), so we close it. */
  ownsSource: boolean;
  /** Reopening and verifying is under way: requests wait quietly. */
  checking: boolean;
  /** Why there is no source (the needs-source list), or null. */
  missing: MissingReason | null;
  streams: Map<string, OutgoingStream>;
};

export class OutgoingFiles {
  readonly #host: FileHost;
  readonly #convId: string;
  readonly #send: (deviceId: string, m: FileMessage) => void;
  readonly #pump: SendPump;
  readonly #offered = new Map<string, Offered>();
  /** Requests that came before the kept offers were loaded; answered once they are. */
  #early: Array<{ from: string; m: FileMessage }> | null = [];
  #closed = false;

  constructor(
    host: FileHost,
    convId: string,
    mesh: Mesh,
    send: (deviceId: string, m: FileMessage) => void,
  ) {
    this.#host = host;
    this.#convId = convId;
    this.#send = send;
    const board = host.board;
    this.#pump = new SendPump(mesh, {
      onProgress: (s) =>
        board.update(s.id, { bytesDone: s.bytesAcked, segmentsStarted: s.segmentsStarted }),
      onError: (s, error) => {
        const code = error instanceof FileTransferError ? error.code : 'FILE_SOURCE_READ';
        send(s.deviceId, { t: 'cancel', fileId: s.offer.fileId, code });
        s.close();
        this.#settled(s.offer.fileId, s.deviceId);
        board.update(s.id, { state: 'failed', error: code });
      },
    });
  }

  has(fileId: string): boolean {
    return this.#offered.has(fileId);
  }

  /** The offer is about to be posted: keep it, and what reopens its source, across restarts. */
  async add(offer: FileOffer, offerB64: string, source: FileSource): Promise<void> {
    const ref = await rememberSource(this.#host.settings.sources, offer.fileId, source);
    const record: OutgoingRecord = {
      fileId: offer.fileId,
      offer: offerB64,
      source: ref,
      createdAt: Date.now(),
      pending: [],
    };
    this.#offered.set(offer.fileId, {
      offer,
      record,
      source,
      ownsSource: false,
      checking: false,
      missing: null,
      streams: new Map(),
    });
    await this.#persist();
  }

  /** After a (re)start: the offers still served. Sources are reopened and verified in the background. */
  async restore(): Promise<void> {
    const sources = this.#host.settings.sources;
    let dropped = false;
    for (const record of await this.#host.store.loadOutgoing(this.#convId)) {
      const offer = decodeOfferB64(record.offer);
      if (!offer || Date.now() - record.createdAt > OUTGOING_KEEP_MS) {
        dropped = true;
        await sources?.forget(record.fileId).catch(() => undefined);
        continue;
      }
      if (this.#offered.has(offer.fileId)) continue;
      const offered: Offered = {
        offer,
        record,
        source: null,
        ownsSource: false,
        checking: false,
        missing: null,
        streams: new Map(),
      };
      this.#offered.set(offer.fileId, offered);
      if (record.source && sources) void this.#reopen(offered, sources);
      else this.#sourceMissing(offered, 'not-kept');
    }
    if (dropped) await this.#persist();
    const early = this.#early ?? [];
    this.#early = null;
    for (const { from, m } of early) this.onMessage(from, m);
  }

  /** The person picked the offered file again: it must be that file (size and hash). */
  async reattach(fileId: string, source: FileSource): Promise<void> {
    const offered = this.#offered.get(fileId);
    if (!offered) throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
    if (offered.source || offered.checking) throw new FileTransferError('FILE_BAD_STATE');
    offered.checking = true;
    const same = await matchesOffer(offered.offer, source).finally(() => {
      offered.checking = false;
    });
    if (!same) throw new FileTransferError('FILE_SOURCE_MISMATCH');
    if (this.#closed || !this.#offered.has(fileId)) throw new FileTransferError('FILE_BAD_STATE');
    offered.record.source = await rememberSource(this.#host.settings.sources, fileId, source);
    this.#attach(offered, source, false);
    await this.#persist();
  }

  /** Stops serving a file to everyone (each unfinished recipient is told), and forgets it. */
  async withdraw(fileId: string): Promise<void> {
    const offered = this.#offered.get(fileId);
    if (!offered) throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
    for (const [deviceId, stream] of offered.streams) {
      if (stream.finished) continue;
      this.#send(deviceId, { t: 'cancel', fileId, code: 'FILE_CANCELLED' });
      this.#end(stream, 'cancelled');
    }
    // Devices that had started before a restart and have not asked again yet.
    for (const deviceId of offered.record.pending)
      this.#send(deviceId, { t: 'cancel', fileId, code: 'FILE_CANCELLED' });
    this.#offered.delete(fileId);
    this.#host.board.setNeedsSource(fileId, null);
    if (offered.ownsSource) await offered.source?.close?.().catch(() => undefined);
    await this.#host.settings.sources?.forget(fileId).catch(() => undefined);
    await this.#persist();
  }

  /** Handles what a recipient sends about our files; false when the message is not ours. */
  onMessage(from: string, m: FileMessage): boolean {
    const offered = this.#offered.get(m.fileId);
    if (!offered && this.#early && (m.t === 'request' || m.t === 'done')) {
      this.#early.push({ from, m });
      return true;
    }
    const stream = offered?.streams.get(from);
    switch (m.t) {
      case 'request':
        // Not (or no longer) ours to serve (withdrawn, expired, or never kept): say so.
        if (!offered)
          this.#send(from, { t: 'cancel', fileId: m.fileId, code: 'FILE_UNKNOWN_TRANSFER' });
        else this.#serve(offered, from, m.segment);
        return true;
      case 'ack':
        stream?.acked(m.segment, m.chunks);
        this.#pump.wake();
        return true;
      case 'done':
        if (stream) this.#end(stream, 'complete');
        else if (offered) this.#settled(m.fileId, from);
        return true;
      case 'pause':
        if (!stream) return false;
        stream.pausedByPeer = m.on;
        this.#host.board.update(stream.id, this.#stateOf(offered, stream));
        this.#pump.wake();
        return true;
      case 'cancel':
        if (!stream) {
          if (offered) this.#settled(m.fileId, from);
          return false;
        }
        this.#end(stream, m.code === 'FILE_DECLINED' ? 'declined' : 'cancelled');
        return true;
      default:
        return false;
    }
  }

  cancel(fileId: string, deviceId: string): void {
    const stream = this.#offered.get(fileId)?.streams.get(deviceId);
    if (!stream) throw new FileTransferError('FILE_UNKNOWN_TRANSFER');
    this.#send(deviceId, { t: 'cancel', fileId, code: 'FILE_CANCELLED' });
    this.#end(stream, 'cancelled');
  }

  setPaused(fileId: string, deviceId: string, on: boolean): void {
    const offered = this.#offered.get(fileId);
    const stream = offered?.streams.get(deviceId);
    if (!stream || stream.finished) throw new FileTransferError('FILE_BAD_STATE');
    stream.pausedByMe = on;
    this.#send(deviceId, { t: 'pause', fileId, on });
    this.#host.board.update(stream.id, this.#stateOf(offered, stream));
    this.#pump.wake();
  }

  /** A link drained or opened: the pump looks again. */
  wake(): void {
    this.#pump.wake();
  }

  linkDown(deviceId: string): void {
    for (const offered of this.#offered.values()) {
      const stream = offered.streams.get(deviceId);
      if (!stream || stream.finished) continue;
      stream.linkLost();
      this.#host.board.update(stream.id, { state: 'waiting' });
    }
  }

  close(): void {
    this.#closed = true;
    this.#pump.close();
    for (const offered of this.#offered.values()) {
      for (const s of offered.streams.values()) s.close();
      if (offered.ownsSource) void offered.source?.close?.().catch(() => undefined);
      this.#host.board.setNeedsSource(offered.offer.fileId, null);
    }
    this.#offered.clear();
  }

  #serve(offered: Offered, deviceId: string, segment: number): void {
    let stream = offered.streams.get(deviceId);
    if (!stream) {
      const mutate = this.#host.settings.mutateChunk;
      stream = new OutgoingStream(deviceId, offered.offer, offered.source, mutate);
      offered.streams.set(deviceId, stream);
      this.#host.board.put(outgoingView(this.#convId, stream));
    }
    if (stream.finished || !stream.restartAt(segment)) return;
    if (!offered.record.pending.includes(deviceId)) {
      offered.record.pending.push(deviceId);
      this.#persist().catch((e: unknown) => this.#host.reportError(e));
    }
    this.#host.board.update(stream.id, this.#stateOf(offered, stream));
    if (!stream.hasSource) {
      // Also while a reopened file is being hashed (GiBs take a while): the recipient waits
      // instead of taking the silence for a stalled sender.
      this.#send(deviceId, { t: 'unavailable', fileId: offered.offer.fileId });
      if (!offered.checking) this.#publishMissing(offered);
    }
    this.#pump.add(stream);
  }

  #stateOf(offered: Offered | undefined, stream: OutgoingStream): Partial<TransferView> {
    if (!stream.requested) return { state: 'waiting' };
    if (!stream.hasSource) return { state: offered?.checking ? 'waiting' : 'needs-source' };
    return pauseState(stream.pausedByMe, stream.pausedByPeer);
  }

  async #reopen(offered: Offered, sources: FileSourceStore): Promise<void> {
    const ref = offered.record.source;
    if (!ref) return;
    offered.checking = true;
    const reopened = await reopenChecked(sources, offered.offer, ref);
    offered.checking = false;
    const stale = this.#closed || this.#offered.get(offered.offer.fileId) !== offered;
    if ('missing' in reopened) {
      if (!stale && !offered.source) this.#sourceMissing(offered, reopened.missing);
    } else if (stale || offered.source) {
      await reopened.source.close?.().catch(() => undefined);
    } else {
      this.#attach(offered, reopened.source, true);
    }
  }

  #attach(offered: Offered, source: FileSource, owns: boolean): void {
    offered.source = source;
    offered.ownsSource = owns;
    offered.missing = null;
    this.#host.board.setNeedsSource(offered.offer.fileId, null);
    for (const stream of offered.streams.values()) {
      if (stream.finished) continue;
      stream.attach(source);
      this.#host.board.update(stream.id, this.#stateOf(offered, stream));
    }
    this.#pump.wake();
  }

  #sourceMissing(offered: Offered, reason: MissingReason): void {
    offered.missing = reason;
    for (const [deviceId, stream] of offered.streams) {
      if (stream.finished || !stream.requested) continue;
      this.#send(deviceId, { t: 'unavailable', fileId: offered.offer.fileId });
      this.#host.board.update(stream.id, this.#stateOf(offered, stream));
    }
    this.#publishMissing(offered);
  }

  /** Lists the file for the UI's prompt while some device waits for it. */
  #publishMissing(offered: Offered): void {
    const { offer } = offered;
    const waiting = new Set(offered.record.pending);
    for (const [deviceId, s] of offered.streams)
      if (s.requested && !s.finished) waiting.add(deviceId);
    const reason = offered.source ? null : offered.missing;
    this.#host.board.setNeedsSource(
      offer.fileId,
      reason && waiting.size > 0
        ? needsSourceView(this.#convId, offer, reason, [...waiting])
        : null,
    );
  }

  /** A device is finished with a file (done, cancelled, failed): no longer pending. */
  #settled(fileId: string, deviceId: string): void {
    const offered = this.#offered.get(fileId);
    if (!offered) return;
    const before = offered.record.pending.length;
    offered.record.pending = offered.record.pending.filter((d) => d !== deviceId);
    if (offered.record.pending.length !== before)
      this.#persist().catch((e: unknown) => this.#host.reportError(e));
    if (offered.missing) this.#publishMissing(offered);
  }

  #end(stream: OutgoingStream, state: 'complete' | 'cancelled' | 'declined'): void {
    stream.close();
    this.#pump.remove(stream);
    this.#settled(stream.offer.fileId, stream.deviceId);
    const bytesDone = state === 'complete' ? stream.offer.size : stream.bytesAcked;
    this.#host.board.update(stream.id, { state, error: null, bytesDone });
  }

  #persist(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.#host.store.saveOutgoing(
      this.#convId,
      [...this.#offered.values()].map((o) => o.record),
    );
  }
}
