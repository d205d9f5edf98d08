/**
 * The client's typing indicators and read receipts (ARCHITECTURE.md: both
 * are opt-out): the person's switches, kept in the encrypted kv; the
 * throttle on "typing" sent; the sweep that expires others' typing; and the
 * read receipts sent when a conversation is seen. The facade (client.ts)
 * delegates here.
 */
import { type ReadonlySignal, type Signal, signal } from '@preact/signals-core';
import { fromUtf8, utf8 } from '../../shared/crypto/encoding.ts';
import type { Conversation } from './conversation.ts';
import { type EngineContext, meIkB64 } from './engine-context.ts';

/** While someone keeps typing, "on" is repeated this often (receivers expire it). */
const TYPING_REFRESH_MS = 3_000;
const TYPING_SWEEP_MS = 1_000;
/** At most this many messages are named in one read receipt. */
const READ_RECEIPT_MAX_TARGETS = 256;

const SETTINGS_KEY = 'engine/privacy';

/** Privacy switches (ARCHITECTURE.md: typing and read receipts are opt-out). */
export interface PrivacySettings {
  sendTypingIndicators: boolean;
  sendReadReceipts: boolean;
}

export const DEFAULT_PRIVACY: PrivacySettings = {
  sendTypingIndicators: true,
  sendReadReceipts: true,
};

export class ClientPrivacy {
  readonly #ctx: EngineContext;
  readonly #settings: Signal<PrivacySettings> = signal(DEFAULT_PRIVACY);
  readonly #typingSentAt = new Map<string, number>();
  readonly #sweep: ReturnType<typeof setInterval>;

  /** `conversations`: every open room's and DM's conversation, for the typing sweep. */
  constructor(ctx: EngineContext, conversations: () => Conversation[]) {
    this.#ctx = ctx;
    this.#sweep = setInterval(() => {
      for (const conversation of conversations()) conversation.expireTyping();
    }, TYPING_SWEEP_MS);
  }

  get settings(): ReadonlySignal<PrivacySettings> {
    return this.#settings;
  }

  /** The switches this device saved, over the defaults (a switch added later starts at its default). */
  async load(): Promise<void> {
    const saved = await this.#ctx.history.kvGet(SETTINGS_KEY);
    if (saved)
      this.#settings.value = {
        ...DEFAULT_PRIVACY,
        ...(JSON.parse(fromUtf8(saved)) as Partial<PrivacySettings>),
      };
  }

  async set(change: Partial<PrivacySettings>): Promise<void> {
    this.#settings.value = { ...this.#settings.value, ...change };
    await this.#ctx.history.kvPut(SETTINGS_KEY, utf8(JSON.stringify(this.#settings.value)));
  }

  /** "Typing" on (repeated at most every TYPING_REFRESH_MS) or off (only after an on). */
  setTyping(convId: string, conversation: Conversation | undefined, on: boolean): void {
    if (!conversation || !this.#settings.value.sendTypingIndicators) return;
    const last = this.#typingSentAt.get(convId) ?? 0;
    const now = Date.now();
    if (on && now - last < TYPING_REFRESH_MS) return;
    if (!on && last === 0) return;
    this.#typingSentAt.set(convId, on ? now : 0);
    conversation.setTyping(on);
  }

  /** A read receipt for others' messages this device has not marked read (unless switched off). */
  async sendReadReceipts(conversation: Conversation | undefined): Promise<void> {
    if (!conversation || !this.#settings.value.sendReadReceipts) return;
    const me = this.#ctx.me;
    const myIk = meIkB64(this.#ctx);
    const unreadByMe = conversation.messages.value
      .filter((m) => m.authorIk !== myIk && !m.deleted && m.receipts[me.deviceId] !== 'read')
      .map((m) => m.id)
      .slice(-READ_RECEIPT_MAX_TARGETS);
    if (unreadByMe.length)
      await conversation.write({ type: 'receipt', kind: 'read', targets: unreadByMe });
  }

  close(): void {
    clearInterval(this.#sweep);
  }
}
