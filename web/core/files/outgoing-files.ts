/**
 * The files this device offered in one conversation, and a stream per
 * device that asked for one (outgoing-stream.ts), all sent by one pump.
 * Requests drive everything: the first one creates the stream, later ones
 * (after a lost link, a reload or a rejected chunk) restart it at the
 * segment asked for.
 */
import type { FileOffer } from '../../../shared/crypto/files.ts';
import type { Mesh } from '../mesh.ts';
import { FileTransferError } from './file-errors.ts';
import type { FileHost } from './file-host.ts';
import type { FileSource } from './file-io.ts';
import type { FileMessage } from './file-messages.ts';
import { OutgoingStream } from './outgoing-stream.ts';
import { SendPump } from './send-pump.ts';
import { outgoingView, pauseState } from './transfer-views.ts';

type Offered = { offer: FileOffer; source: FileSource; streams: Map<string, OutgoingStream> };

export class OutgoingFiles {
  readonly #host: FileHost;
  readonly #convId: string;
  readonly #send: (deviceId: string, m: FileMessage) => void;
  readonly #pump: SendPump;
  readonly #offered = new Map<string, Offered>();

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
        board.update(s.id, { state: 'failed', error: code });
      },
    });
  }

  has(fileId: string): boolean {
    return this.#offered.has(fileId);
  }

  add(offer: FileOffer, source: FileSource): void {
    this.#offered.set(offer.fileId, { offer, source, streams: new Map() });
  }

  /** Handles what a recipient sends about our files; false when the message is not ours. */
  onMessage(from: string, m: FileMessage): boolean {
    const offered = this.#offered.get(m.fileId);
    const stream = offered?.streams.get(from);
    switch (m.t) {
      case 'request':
        // Not (or no longer) ours to serve, e.g. after this device reloaded: say so.
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
        return true;
      case 'pause':
        if (!stream) return false;
        stream.pausedByPeer = m.on;
        this.#host.board.update(stream.id, pauseState(stream.pausedByMe, m.on));
        this.#pump.wake();
        return true;
      case 'cancel':
        if (!stream) return false;
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
    const stream = this.#offered.get(fileId)?.streams.get(deviceId);
    if (!stream || stream.finished) throw new FileTransferError('FILE_BAD_STATE');
    stream.pausedByMe = on;
    this.#send(deviceId, { t: 'pause', fileId, on });
    this.#host.board.update(stream.id, pauseState(on, stream.pausedByPeer));
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
    this.#pump.close();
    for (const offered of this.#offered.values())
      for (const s of offered.streams.values()) s.close();
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
    this.#host.board.update(stream.id, pauseState(stream.pausedByMe, stream.pausedByPeer));
    this.#pump.add(stream);
  }

  #end(stream: OutgoingStream, state: 'complete' | 'cancelled' | 'declined'): void {
    stream.close();
    this.#pump.remove(stream);
    const bytesDone = state === 'complete' ? stream.offer.size : stream.bytesAcked;
    this.#host.board.update(stream.id, { state, error: null, bytesDone });
  }
}
