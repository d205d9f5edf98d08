/**
 * The other devices' sender-key chains in one room: one receiver per
 * (device, epoch) from the distributions they hand us, and the messages that
 * came before the distribution that opens them.
 *
 * A device moves to a new epoch on every rotation and every restart
 * (room-epochs.ts), while its messages of the last may still be in flight
 * (outbox resends, the relay path): the newest few epochs per device stay
 * open, older ones are closed and their skipped keys wiped.
 */
import { toB64 } from '../../shared/crypto/encoding.ts';
import { type SenderKeyDistribution, SenderKeyReceiver } from '../../shared/crypto/sender-keys.ts';
import { EarlyBuffer } from './early-buffer.ts';

/** Epochs kept per sending device. */
const RECEIVER_EPOCHS_PER_DEVICE = 3;
/** Messages held per (device, epoch) until its distribution arrives. */
const WAITING_PER_CHAIN = 256;

export class RoomReceivers<Held> {
  readonly #receivers = new Map<string, SenderKeyReceiver>();
  readonly #waiting = new EarlyBuffer<Held>({ maxPerKey: WAITING_PER_CHAIN });

  /**
   * Takes in a verified distribution; returns what waited for it. A repeat of
   * one we hold is ignored: it would rewind nothing useful and drop stored
   * skipped keys.
   */
  add(d: SenderKeyDistribution): Held[] {
    const key = receiverKey(d.dkPk, d.epoch);
    if (!this.#receivers.has(key)) {
      this.#receivers.set(key, SenderKeyReceiver.fromDistribution(d));
      this.#prune(d.dkPk);
    }
    return this.#waiting.take(key);
  }

  get(dkPk: Uint8Array, epoch: number): SenderKeyReceiver | undefined {
    return this.#receivers.get(receiverKey(dkPk, epoch));
  }

  /** Keeps a message until the distribution of its chain arrives (bounded). */
  hold(dkPk: Uint8Array, epoch: number, item: Held): void {
    this.#waiting.hold(receiverKey(dkPk, epoch), item);
  }

  close(): void {
    for (const r of this.#receivers.values()) r.close();
    this.#receivers.clear();
    this.#waiting.clear();
  }

  #prune(dkPk: Uint8Array): void {
    const prefix = `${toB64(dkPk)}:`;
    const held = [...this.#receivers.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([, a], [, b]) => b.epoch - a.epoch);
    for (const [key, receiver] of held.slice(RECEIVER_EPOCHS_PER_DEVICE)) {
      receiver.close();
      this.#receivers.delete(key);
    }
  }
}

function receiverKey(dkPk: Uint8Array, epoch: number): string {
  return `${toB64(dkPk)}:${epoch}`;
}
