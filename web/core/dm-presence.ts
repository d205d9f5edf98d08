/**
 * Keeps a DM's mesh pointed at the partner's online devices. The relay has
 * no presence for DMs, so: `dm.open` returns the partner's connected devices
 * (on start, after every login, and whenever a link closes), and each side
 * announces itself to the other's devices when it comes online — answered
 * once, so the device that must initiate learns of the other too.
 */
import type { Mesh } from './mesh.ts';
import type { RelayClient } from './relay-client.ts';

export interface DmPartner {
  userId: string;
  username: string;
}

export class DmPresence {
  readonly partner: DmPartner;
  readonly #relay: RelayClient;
  readonly #mesh: Mesh;
  readonly #offs: Array<() => void>;
  #closed = false;

  constructor(relay: RelayClient, mesh: Mesh, partner: DmPartner) {
    this.#relay = relay;
    this.#mesh = mesh;
    this.partner = partner;
    this.#offs = [
      relay.events.on('authed', () => void this.refresh(true).catch(() => {})),
      mesh.events.on('peerClose', () => void this.refresh(false).catch(() => {})),
      mesh.events.on('here', (deviceId, userId) => {
        if (userId !== partner.userId || this.#closed) return;
        const known = mesh.isOnline(deviceId);
        mesh.memberOnline({ deviceId, userId, username: partner.username });
        // Answer a first announcement, so both sides know; never answer an answer.
        if (!known) mesh.announce(deviceId);
      }),
    ];
  }

  /** Asks the relay which partner devices are connected; optionally announces us to them. */
  async refresh(announce: boolean): Promise<void> {
    const reply = await this.#relay.call(
      { t: 'dm.open', username: this.partner.username },
      'dm.ok',
    );
    if (this.#closed) return;
    this.#mesh.setOnline(
      reply.online.map((deviceId) => ({
        deviceId,
        userId: reply.userId,
        username: reply.username,
      })),
    );
    if (announce) for (const deviceId of reply.online) this.#mesh.announce(deviceId);
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#offs) off();
  }
}
