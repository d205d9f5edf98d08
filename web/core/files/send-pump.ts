/**
 * Sends the chunks of every outgoing stream of one conversation, one chunk
 * per stream per round, so a large file to one device does not starve a
 * small one or another recipient. A stream waits while
 *  - its link's send queue is above HIGH_WATER_BYTES (CRYPTO.md "Files":
 *    pause above 1 MiB, resume on the transport's 256 KiB drain), so the
 *    data channel's queue never overflows, and
 *  - its device has a window's worth of bytes unacknowledged by the
 *    receiver. The relay path has no bufferedAmount, and the relay drops
 *    frames for a recipient above its per-socket buffer (4 MiB by default),
 *    so there the window is what bounds the queue, and it is smaller.
 */
import { FILES } from '../../../shared/crypto/constants.ts';
import type { Mesh } from '../mesh.ts';
import type { OutgoingStream } from './outgoing-stream.ts';

export const PUMP_DEFAULTS = {
  highWaterBytes: 1024 * 1024,
  /** Unacknowledged bytes per device over a data channel. */
  directWindowBytes: 8 * 1024 * 1024,
  /** Unacknowledged bytes per device through the relay: well under its per-socket buffer. */
  relayWindowBytes: 2 * 1024 * 1024,
  /** Hand the event loop back this often, so acks and other traffic get through. */
  yieldEveryChunks: 16,
  /** If a drain event never comes (it fires only after crossing the low mark), look again. */
  recheckMs: 25,
} as const;

/**
 * A task boundary, so acks and drains get in. Not setTimeout(0): Chromium
 * clamps a timer set from a timer's task to 4 ms after five levels, and the
 * pump's yields chain exactly like that — up to 4 ms idle per 16 chunks on a
 * CPU-bound sender. A message on a fresh channel is a plain task.
 */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

export class SendPump {
  readonly #mesh: Mesh;
  readonly #streams = new Set<OutgoingStream>();
  readonly #onError: (stream: OutgoingStream, error: unknown) => void;
  readonly #onProgress: (stream: OutgoingStream) => void;
  #running = false;
  #again = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(
    mesh: Mesh,
    hooks: {
      onError: (stream: OutgoingStream, error: unknown) => void;
      onProgress: (stream: OutgoingStream) => void;
    },
  ) {
    this.#mesh = mesh;
    this.#onError = hooks.onError;
    this.#onProgress = hooks.onProgress;
  }

  add(stream: OutgoingStream): void {
    this.#streams.add(stream);
    this.wake();
  }

  remove(stream: OutgoingStream): void {
    this.#streams.delete(stream);
  }

  /** Something changed (a request, an ack, a drain, a resume): send what may be sent. */
  wake(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#run();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#streams.clear();
  }

  #windowFor(deviceId: string): number {
    return this.#mesh.pathTo(deviceId) === 'relay'
      ? PUMP_DEFAULTS.relayWindowBytes
      : PUMP_DEFAULTS.directWindowBytes;
  }

  #inFlight(deviceId: string): number {
    let total = 0;
    for (const s of this.#streams) if (s.deviceId === deviceId) total += s.inFlightBytes;
    return total;
  }

  /** 'send', or why not: 'idle' (nothing to do) or 'blocked' (the link or window is full). */
  #check(s: OutgoingStream): 'send' | 'idle' | 'blocked' {
    if (!s.wantsToSend || !this.#mesh.pathTo(s.deviceId)) return 'idle';
    if (this.#mesh.bufferedAmount(s.deviceId) > PUMP_DEFAULTS.highWaterBytes) return 'blocked';
    // Acks free the window and wake us, so a full window is idle, not blocked.
    if (this.#inFlight(s.deviceId) >= this.#windowFor(s.deviceId)) return 'idle';
    // Never more than a segment ahead of the receiver: a lost link then costs at
    // most the segment it was in and the one after it, sent twice.
    if (s.inFlightBytes >= s.offer.chunkSize * FILES.chunksPerSegment) return 'idle';
    return 'send';
  }

  async #run(): Promise<void> {
    this.#running = true;
    let sinceYield = 0;
    try {
      for (;;) {
        this.#again = false;
        let sent = false;
        let blocked = false;
        for (const s of [...this.#streams]) {
          const verdict = this.#check(s);
          if (verdict === 'blocked') blocked = true;
          if (verdict !== 'send') continue;
          try {
            for (const bytes of await s.nextEncoded()) this.#mesh.send(s.deviceId, bytes);
          } catch (error) {
            this.#streams.delete(s);
            this.#onError(s, error);
            continue;
          }
          this.#onProgress(s);
          sent = true;
          if (++sinceYield >= PUMP_DEFAULTS.yieldEveryChunks) {
            sinceYield = 0;
            await yieldToEventLoop();
          }
          if (this.#closed) return;
        }
        if (!sent && !this.#again) {
          if (blocked) this.#recheck();
          return;
        }
      }
    } finally {
      this.#running = false;
    }
  }

  #recheck(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.wake();
    }, PUMP_DEFAULTS.recheckMs);
  }
}
