/**
 * Collecting the mailbox (ARCHITECTURE.md "Mailbox"): after login the relay
 * sends what waited for this device as binary frames, then `mailbox.batch`.
 * Each item is acknowledged — and so deleted by the relay — only once its
 * handler has finished with it (stored, or refused for good); an item whose
 * handler failed stays for the next login. When the relay says more remain,
 * the next batch is fetched.
 */
import type { RelayClient } from './relay-client.ts';

export class MailboxCollector {
  readonly #relay: RelayClient;
  readonly #inFlight = new Map<number, Promise<unknown>>();
  readonly #off: () => void;
  #acked = 0;

  constructor(relay: RelayClient) {
    this.#relay = relay;
    this.#off = relay.events.on('push', (msg) => {
      if (msg.t === 'mailbox.batch') {
        // A failed ack leaves the items at the relay: they come again next login.
        this.#settle(msg.remaining).catch(() => {});
      }
    });
  }

  /** Items acknowledged so far (diagnostics, tests). */
  get acked(): number {
    return this.#acked;
  }

  /** The router hands over each mailbox item with the work done on it. */
  track(itemId: number, work: Promise<unknown>): void {
    this.#inFlight.set(itemId, work);
  }

  close(): void {
    this.#off();
    this.#inFlight.clear();
  }

  async #settle(remaining: number): Promise<void> {
    const batch = [...this.#inFlight.entries()];
    this.#inFlight.clear();
    const results = await Promise.allSettled(batch.map(([, work]) => work));
    const done = batch.filter((_, i) => results[i]!.status === 'fulfilled').map(([id]) => id);
    if (done.length) {
      await this.#relay.call({ t: 'mailbox.ack', ids: done }, 'ok');
      this.#acked += done.length;
    }
    if (remaining > 0) this.#relay.notify({ t: 'mailbox.fetch' });
  }
}
