/**
 * What every benchmark page shares: the deterministic test bytes, and a probe
 * on RTCDataChannel.send that records the largest send queue seen and any
 * send the browser refused. Chromium throws "send queue is full" past 16 MiB
 * buffered and closes nothing, so an overflow would otherwise go unnoticed.
 */

/** Deterministic bytes (xorshift), built in 1 MiB parts: the page's "file". */
export function testBlob(size: number, seed: number): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  let x = seed >>> 0 || 1;
  for (let at = 0; at < size; at += 1024 * 1024) {
    const part = new Uint8Array(Math.min(1024 * 1024, size - at));
    const words = new Uint32Array(part.buffer, 0, part.length >> 2);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    parts.push(part);
  }
  return new Blob(parts);
}

export interface SendQueueStats {
  maxBufferedBytes: number;
  sends: number;
  refused: number;
  /**
   * Bulk sends (≥ 16 KiB) that found the send queue empty: the channel had
   * run dry, so SCTP may have sat idle waiting for the sender's page.
   */
  bulkSends: number;
  bulkSendsIntoEmptyQueue: number;
}

/** Messages at least this large count as bulk (file chunks, not acks or signalling). */
const BULK_BYTES = 16 * 1024;

export function sendQueueProbe(): { read(): SendQueueStats; reset(): void } {
  const stats: SendQueueStats = {
    maxBufferedBytes: 0,
    sends: 0,
    refused: 0,
    bulkSends: 0,
    bulkSendsIntoEmptyQueue: 0,
  };
  const proto = RTCDataChannel.prototype;
  const original = proto.send as (this: RTCDataChannel, data: unknown) => void;
  proto.send = function send(this: RTCDataChannel, data: never) {
    stats.sends++;
    const size =
      (data as { byteLength?: number; size?: number }).byteLength ??
      (data as { size?: number }).size ??
      0;
    if (size >= BULK_BYTES) {
      stats.bulkSends++;
      if (this.bufferedAmount === 0) stats.bulkSendsIntoEmptyQueue++;
    }
    try {
      original.call(this, data);
    } catch (error) {
      stats.refused++;
      throw error;
    }
    if (this.bufferedAmount > stats.maxBufferedBytes) stats.maxBufferedBytes = this.bufferedAmount;
  };
  return {
    read: () => ({ ...stats }),
    reset() {
      stats.maxBufferedBytes = 0;
      stats.sends = 0;
      stats.refused = 0;
      stats.bulkSends = 0;
      stats.bulkSendsIntoEmptyQueue = 0;
    },
  };
}

/**
 * Diagnostics: logs every RTCPeerConnection's state changes with ms since
 * `t0Epoch` (for finding why a link took long). Installed on demand only.
 */
export function tracePeerConnections(t0Epoch: () => number): string[] {
  const log: string[] = [];
  const Original = globalThis.RTCPeerConnection;
  let seq = 0;
  class Traced extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      const id = seq++;
      const note = (what: string) => log.push(`${Date.now() - t0Epoch()} pc${id} ${what}`);
      note('new');
      this.addEventListener('connectionstatechange', () => note(`conn:${this.connectionState}`));
      this.addEventListener('iceconnectionstatechange', () =>
        note(`ice:${this.iceConnectionState}`),
      );
      this.addEventListener('icegatheringstatechange', () =>
        note(`gather:${this.iceGatheringState}`),
      );
      this.addEventListener('signalingstatechange', () => note(`sig:${this.signalingState}`));
    }
    override setRemoteDescription(d: RTCSessionDescriptionInit): Promise<void> {
      log.push(`${Date.now() - t0Epoch()} srd ${d.type}`);
      return super.setRemoteDescription(d);
    }
    override close(): void {
      log.push(`${Date.now() - t0Epoch()} close`);
      super.close();
    }
  }
  globalThis.RTCPeerConnection = Traced;
  return log;
}
