/**
 * The DMs a client has open: one runtime per partner, opened at start for
 * every partner this device remembers (and those the relay lists), on
 * request, or when a first-contact sealed mail arrives. Partners are kept
 * in the encrypted kv so a restart reopens them. The facade (client.ts)
 * delegates here.
 */
import { fromUtf8, utf8 } from '../../shared/crypto/encoding.ts';
import type { ConversationList } from './conversation-list.ts';
import type { DmPartner } from './dm-presence.ts';
import { DmRuntime } from './dm-runtime.ts';
import type { EngineContext } from './engine-context.ts';
import { openSealed } from './sealed-delivery.ts';

const DM_PARTNERS_KEY = 'engine/dm-partners';

export class ClientDms {
  readonly #ctx: EngineContext;
  readonly #list: ConversationList;
  readonly #dms = new Map<string, DmRuntime>();

  constructor(ctx: EngineContext, list: ConversationList) {
    this.#ctx = ctx;
    this.#list = list;
  }

  get(convId: string): DmRuntime | undefined {
    return this.#dms.get(convId);
  }

  runtimes(): DmRuntime[] {
    return [...this.#dms.values()];
  }

  /** Opens (or returns) the DM with a user; resolves to its conversation id. */
  async openWith(username: string): Promise<string> {
    const reply = await this.#ctx.relay.call({ t: 'dm.open', username }, 'dm.ok');
    return (await this.#open({ userId: reply.userId, username: reply.username })).dmId;
  }

  /** Start-up: every DM this device should have open. */
  async openAll(): Promise<void> {
    for (const partner of await this.#startupPartners()) await this.#open(partner);
  }

  /** Sealed mail: a first-contact DM opens its conversation on arrival. */
  async onSealed(fromUserId: string, box: Uint8Array): Promise<void> {
    const me = this.#ctx.me;
    const opened = openSealed(box, me.prekeys, me.ikPk);
    if (!opened.ok || opened.value.content.t !== 'direct') return;
    let runtime = [...this.#dms.values()].find((d) => d.partner.userId === fromUserId);
    if (!runtime) {
      const keys = await this.#ctx.relay.call({ t: 'keys.get', userId: fromUserId }, 'keys');
      runtime = await this.#open({ userId: keys.userId, username: keys.username });
    }
    await runtime.receiveMail(fromUserId, opened.value);
  }

  /** Closes every DM's runtime; stored history stays. */
  close(): void {
    for (const d of this.#dms.values()) d.close();
    this.#dms.clear();
  }

  /**
   * Whom to open DMs with at start: the partners this device remembers, then
   * those the relay lists (`dm.list`) that it does not — a new browser
   * remembers none. The relay's entries are only names to open: keys still
   * come from keys.get and meet the pins like any DM's, and a userId we
   * remember keeps our name for it.
   */
  async #startupPartners(): Promise<DmPartner[]> {
    const partners = await this.#rememberedPartners();
    let listed: DmPartner[] = [];
    try {
      listed = (await this.#ctx.relay.call({ t: 'dm.list' }, 'dm.list.ok')).partners;
    } catch (error) {
      // An older relay (UNKNOWN_TYPE) or a refused request: what we remember still opens.
      this.#ctx.reportError(error);
    }
    const known = new Set([this.#ctx.me.userId, ...partners.map((p) => p.userId)]);
    for (const { userId, username } of listed) {
      if (known.has(userId)) continue;
      known.add(userId);
      partners.push({ userId, username });
    }
    return partners;
  }

  async #open(partner: DmPartner): Promise<DmRuntime> {
    const existing = [...this.#dms.values()].find((d) => d.partner.userId === partner.userId);
    if (existing) return existing;
    const runtime = new DmRuntime(this.#ctx, partner);
    this.#dms.set(runtime.dmId, runtime);
    this.#list.track(runtime.dmId, 'dm', partner.username, runtime.conversation);
    await this.#rememberPartner(partner);
    await runtime.start();
    return runtime;
  }

  async #rememberedPartners(): Promise<DmPartner[]> {
    const raw = await this.#ctx.history.kvGet(DM_PARTNERS_KEY);
    return raw ? (JSON.parse(fromUtf8(raw)) as DmPartner[]) : [];
  }

  async #rememberPartner(partner: DmPartner): Promise<void> {
    const known = await this.#rememberedPartners();
    if (known.some((p) => p.userId === partner.userId)) return;
    await this.#ctx.history.kvPut(DM_PARTNERS_KEY, utf8(JSON.stringify([...known, partner])));
  }
}
