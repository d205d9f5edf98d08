/**
 * Signed prekey rotation (CRYPTO.md "Keys"): a new SPK every week, published
 * with prekey.rotate. A replaced SPK's private key is kept for two more
 * weeks, because a sender may have fetched the old public key just before
 * the rotation and sealed mail to it that sits in the mailbox until this
 * device comes online; after that it is deleted, which is what gives
 * offline mail its (coarse) forward secrecy.
 *
 * The policy is a pure function of the prekeys and the clock; the call
 * applies it, saving locally before publishing and reverting if the relay
 * refuses, so the private half of a published SPK is never lost.
 */
import { makeSignedPrekey, prekeyToWire } from '../../../shared/crypto/keys.ts';
import { loadSodium, sodium } from '../../../shared/crypto/sodium.ts';
import type { RelayClient } from '../relay-client.ts';
import type { AccountPrekeys, AccountSession, RetiredPrekey } from './account.ts';
import { relayStep } from './account-errors.ts';
import { savePrekeys } from './device-vault.ts';
import type { KeyStore } from './key-store.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PrekeyPolicy {
  /** A current SPK this old is replaced. */
  rotateAfterMs: number;
  /** A replaced SPK's private key is kept this long after it was replaced. */
  keepRetiredMs: number;
}

export const PREKEY_POLICY: PrekeyPolicy = {
  rotateAfterMs: 7 * DAY_MS,
  keepRetiredMs: 14 * DAY_MS,
};

/** Prekey ids are u32 on the wire. */
const MAX_PREKEY_ID = 0xffff_ffff;

export interface PrekeyPlan {
  rotate: boolean;
  keep: RetiredPrekey[];
  drop: RetiredPrekey[];
}

export function planPrekeyRotation(
  prekeys: AccountPrekeys,
  nowMs: number,
  policy: PrekeyPolicy = PREKEY_POLICY,
): PrekeyPlan {
  // A clock that jumped backwards (created in the "future") does not rotate.
  const ageMs = nowMs - prekeys.current.created;
  const keep: RetiredPrekey[] = [];
  const drop: RetiredPrekey[] = [];
  for (const r of prekeys.retired) {
    (nowMs - r.retiredAt < policy.keepRetiredMs ? keep : drop).push(r);
  }
  return { rotate: ageMs >= policy.rotateAfterMs, keep, drop };
}

export function nextPrekeyId(id: number): number {
  return id >= MAX_PREKEY_ID ? 1 : id + 1;
}

export interface RotatePrekeyOptions {
  /** Logged in as this device. */
  relay: RelayClient;
  store: KeyStore;
  session: AccountSession;
  now?: () => number;
  policy?: PrekeyPolicy;
}

export interface PrekeyRotationResult {
  rotated: boolean;
  /** Retired private keys deleted on this call. */
  dropped: number;
}

/**
 * Call at start-up and then daily. Updates `session.account.prekeys` in
 * place (the account object is shared with the engine).
 */
export function rotatePrekeyIfDue(opts: RotatePrekeyOptions): Promise<PrekeyRotationResult> {
  // A start-up check and the daily timer may overlap: one rotation at a time per session.
  const previous = inFlight.get(opts.session) ?? Promise.resolve();
  const next = previous.then(
    () => rotateNow(opts),
    () => rotateNow(opts),
  );
  inFlight.set(
    opts.session,
    next.catch(() => undefined),
  );
  return next;
}

const inFlight = new WeakMap<AccountSession, Promise<unknown>>();

async function rotateNow(opts: RotatePrekeyOptions): Promise<PrekeyRotationResult> {
  await loadSodium();
  const nowMs = (opts.now ?? Date.now)();
  const { account } = opts.session;
  const before = account.prekeys;
  const plan = planPrekeyRotation(before, nowMs, opts.policy);
  if (!plan.rotate && plan.drop.length === 0) return { rotated: false, dropped: 0 };
  const after: AccountPrekeys = plan.rotate
    ? {
        current: makeSignedPrekey(account.device, nextPrekeyId(before.current.id), nowMs),
        retired: [...plan.keep, { prekey: before.current, retiredAt: nowMs }],
      }
    : { current: before.current, retired: plan.keep };
  await savePrekeys(opts.store, opts.session, after);
  if (plan.rotate) {
    try {
      await relayStep(() =>
        opts.relay.call({ t: 'prekey.rotate', spk: prekeyToWire(after.current) }, 'ok'),
      );
    } catch (error) {
      await savePrekeys(opts.store, opts.session, before);
      sodium().memzero(after.current.privateKey);
      throw error;
    }
  }
  account.prekeys = after;
  for (const r of plan.drop) sodium().memzero(r.prekey.privateKey);
  return { rotated: plan.rotate, dropped: plan.drop.length };
}
