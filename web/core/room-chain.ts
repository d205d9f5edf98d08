/**
 * One room's signed membership chain on this device (CRYPTO.md "Rooms"): the
 * entries, the state they fold to, and the rules for taking in entries from
 * others. The chain — never the relay's member list — decides who gets the
 * room's sender keys, whose events count, and who moderates.
 *
 * Entries from outside (a member's link, the relay's mailbox) are offered as
 * a contiguous run; the run must attach to what we hold, fold without a
 * single refusal, and be the preferred chain (`preferChain`: a branch that
 * removes someone who wrote on the other wins, else the longer, else the
 * lower link hash at the first difference) before it replaces ours. Every
 * member applies the same rule, so a fork — two admins acting at once —
 * resolves to the same branch everywhere; an entry of ours that lost is
 * signed again on the winning head, if it is still allowed there.
 *
 * Kept in the encrypted history kv store, so a reload starts from what we
 * had verified.
 */
import { type ReadonlySignal, signal } from '@preact/signals-core';
import { toB64 } from '../../shared/crypto/encoding.ts';
import type { DeviceCert, SigningKeyPair } from '../../shared/crypto/keys.ts';
import { fail, ok, type Result } from '../../shared/crypto/result.ts';
import {
  applyEntry,
  type ChainError,
  linkHash,
  type MembershipState,
  nextEntry,
  preferChain,
  type SignedEntry,
  signEntry,
  verifyEntry,
} from '../../shared/events/membership-chain.ts';
import type {
  MemberRole,
  MembershipEntry,
  MembershipOp,
  RoomHistory,
} from '../../shared/events/membership-schema.ts';
import { Emitter } from './emitter.ts';
import type { HistoryStore } from './history/history-store.ts';
import { decodeEntries, encodeEntries, ROOM_CHAIN_LIMITS } from './room-chain-codec.ts';

export interface ChainSigner {
  ikPk: Uint8Array;
  deviceId: string;
  dk: SigningKeyPair;
  cert: DeviceCert;
}

/** What became of entries offered from outside. */
export type OfferOutcome =
  /** They extended or replaced our chain. */
  | 'adopted'
  /** We hold them already. */
  | 'known'
  /** They do not attach to what we hold (we miss entries, or the fork starts earlier). */
  | 'gap'
  /** They attach, but our chain is the preferred one. */
  | 'not-preferred'
  /** A signature, a link or a rule failed: nothing taken. */
  | 'refused';

export interface ChainChange {
  /** Identity keys that became members, and that stopped being members. */
  added: string[];
  removed: string[];
  /** The entries of the new chain from the first one the old chain lacked, from seq `from` on. */
  fresh: SignedEntry[];
  from: number;
  /** This device wrote the last fresh entry (the mailbox copy goes out from its author). */
  own: boolean;
}

/** Why entries were not taken in: the fold's code, or dated too far ahead of our clock. */
export type ChainRefusal = ChainError | 'CHAIN_FROM_FUTURE';

export type RoomChainEvents = {
  changed: [change: ChainChange];
  /** Entries refused, with why (diagnostics and tests; never shown as content). */
  refused: [code: ChainRefusal];
};

export type ChainWriteError = ChainError | 'CHAIN_EXISTS';

/** A membership change this device could not make (the facade throws it; `code` is stable). */
export class MembershipError extends Error {
  readonly code: ChainWriteError | 'CHAIN_UNKNOWN_USER' | 'CHAIN_NO_ROOM';
  constructor(code: MembershipError['code']) {
    super(`parley/membership: ${code}`);
    this.name = 'MembershipError';
    this.code = code;
  }
}

const KV_PREFIX = 'room-chain/';

export class RoomChain {
  readonly events = new Emitter<RoomChainEvents>();
  readonly roomId: string;
  readonly #signer: ChainSigner;
  readonly #myIk: string;
  readonly #history: HistoryStore;
  readonly #now: () => number;
  readonly #reportError: (error: unknown) => void;
  #entries: SignedEntry[] = [];
  #hashes: string[] = [];
  /** The state after each entry: a run attaching at seq s folds on from state s - 1. */
  #states: MembershipState[] = [];
  readonly #state = signal<MembershipState | null>(null);
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    history: HistoryStore,
    roomId: string,
    signer: ChainSigner,
    now: () => number,
    reportError: (error: unknown) => void,
  ) {
    this.#history = history;
    this.#reportError = reportError;
    this.roomId = roomId;
    this.#signer = signer;
    this.#myIk = toB64(signer.ikPk);
    this.#now = now;
  }

  /** The chain as stored (verified again: the disk is not a reason to trust). */
  static async open(
    history: HistoryStore,
    roomId: string,
    signer: ChainSigner,
    opts: { now?: () => number; reportError?: (error: unknown) => void } = {},
  ): Promise<RoomChain> {
    const chain = new RoomChain(
      history,
      roomId,
      signer,
      opts.now ?? Date.now,
      opts.reportError ?? (() => {}),
    );
    const raw = await history.kvGet(KV_PREFIX + roomId);
    const stored = raw ? decodeEntries(raw) : null;
    if (stored?.length) chain.offer(stored);
    return chain;
  }

  /** The folded state; null until this device holds the room's chain. */
  get state(): ReadonlySignal<MembershipState | null> {
    return this.#state;
  }

  get entries(): readonly SignedEntry[] {
    return this.#entries;
  }

  get myIk(): string {
    return this.#myIk;
  }

  head(): { seq: number; hash: string } | null {
    const seq = this.#entries.length - 1;
    return seq < 0 ? null : { seq, hash: this.#hashes[seq]! };
  }

  hashAt(seq: number): string | undefined {
    return this.#hashes[seq];
  }

  isMember(ik: string): boolean {
    return this.#state.value?.roles.has(ik) ?? false;
  }

  roleOf(ik: string): MemberRole | null {
    return this.#state.value?.roles.get(ik) ?? null;
  }

  amMember(): boolean {
    return this.isMember(this.#myIk);
  }

  isModerator(ik: string): boolean {
    const role = this.roleOf(ik);
    return role === 'owner' || role === 'admin';
  }

  /** Takes in a contiguous run of entries from outside, by the rules above. */
  offer(run: readonly SignedEntry[]): OfferOutcome {
    if (run.length === 0) return 'known';
    const first = verifyEntry(run[0]!);
    if (!first.ok) return this.#refuse(first.code);
    const start = first.value.seq;
    if (start > this.#entries.length) return 'gap';
    if (start > 0 && this.#hashes[start - 1] !== first.value.prev) return 'gap';
    const candidate = [...this.#entries.slice(0, start), ...run];
    if (candidate.length > ROOM_CHAIN_LIMITS.maxEntries) return this.#refuse('CHAIN_MALFORMED');
    if (
      candidate.length <= this.#entries.length &&
      linkHash(run.at(-1)!) === this.#hashes[candidate.length - 1]
    ) {
      return 'known';
    }
    // Cheap before dear: only a run that would win is worth its signature checks.
    if (preferChain(candidate, this.#entries) !== 'a') return 'not-preferred';
    const states = this.#states.slice(0, start);
    let state: MembershipState | null = states.at(-1) ?? null;
    const latestMs = this.#now() + ROOM_CHAIN_LIMITS.maxFutureSkewMs;
    for (const signed of run) {
      const next = applyEntry(this.roomId, state, signed);
      if (!next.ok) return this.#refuse(next.code);
      if (next.value.head.ts > latestMs) return this.#refuse('CHAIN_FROM_FUTURE');
      state = next.value;
      states.push(state);
    }
    this.#adopt(candidate, states, false);
    return 'adopted';
  }

  /** The room's first entry: this device's identity becomes its owner. */
  create(
    name: string,
    visibility: 'public' | 'private',
    history: RoomHistory,
  ): Result<SignedEntry, ChainWriteError> {
    if (this.#entries.length) return fail('CHAIN_EXISTS');
    const entry: MembershipEntry = {
      v: 1,
      room: this.roomId,
      seq: 0,
      prev: null,
      by: this.#myIk,
      byDevice: this.#signer.deviceId,
      ts: this.#now(),
      body: { op: 'create', name, visibility, history },
    };
    return this.#write(null, entry);
  }

  /** Signs `body` on the current head; refused when the fold would refuse it. */
  append(body: MembershipOp): Result<SignedEntry, ChainWriteError> {
    const state = this.#state.value;
    if (!state) return fail('CHAIN_EMPTY');
    return this.#write(
      state,
      nextEntry(state, this.#myIk, this.#signer.deviceId, this.#now(), body),
    );
  }

  /** Resolves once every change so far is on disk. */
  flush(): Promise<void> {
    return this.#saving;
  }

  close(): void {
    this.events.clear();
  }

  #write(
    state: MembershipState | null,
    entry: MembershipEntry,
  ): Result<SignedEntry, ChainWriteError> {
    let signed: SignedEntry;
    try {
      signed = signEntry(entry, { dkSecret: this.#signer.dk.privateKey, cert: this.#signer.cert });
    } catch {
      return fail('CHAIN_MALFORMED');
    }
    const next = applyEntry(this.roomId, state, signed);
    if (!next.ok) return next;
    this.#adopt([...this.#entries, signed], [...this.#states, next.value], true);
    return ok(signed);
  }

  #adopt(entries: SignedEntry[], states: MembershipState[], own: boolean): void {
    const before = this.#state.value;
    const oldEntries = this.#entries;
    const oldHashes = this.#hashes;
    const hashes = entries.map((e, i) =>
      i < oldHashes.length && e === oldEntries[i] ? oldHashes[i]! : linkHash(e),
    );
    let common = 0;
    while (common < oldHashes.length && oldHashes[common] === hashes[common]) common++;
    const kept = new Set(hashes);
    // Our entries on the losing branch of a fork: signed again below, on the winner.
    const lost = oldEntries
      .slice(common)
      .filter((_e, i) => !kept.has(oldHashes[common + i]!))
      .map((e) => verifyEntry(e))
      // This device's own (another device of ours re-signs its own).
      .flatMap((r) =>
        r.ok && r.value.by === this.#myIk && r.value.byDevice === this.#signer.deviceId
          ? [r.value.body]
          : [],
      );
    this.#entries = entries;
    this.#hashes = hashes;
    this.#states = states;
    const after = states.at(-1)!;
    this.#state.value = after;
    this.#persist();
    const beforeRoles = before?.roles ?? new Map<string, MemberRole>();
    this.events.emit('changed', {
      added: [...after.roles.keys()].filter((ik) => !beforeRoles.has(ik)),
      removed: [...beforeRoles.keys()].filter((ik) => !after.roles.has(ik)),
      fresh: entries.slice(common),
      from: common,
      own,
    });
    for (const body of lost) {
      if (body.op !== 'create') this.append(body);
    }
  }

  #refuse(code: ChainRefusal): OfferOutcome {
    this.events.emit('refused', code);
    return 'refused';
  }

  #persist(): void {
    const bytes = encodeEntries(this.#entries);
    // Writes in order, each after the last: an older chain never lands last.
    const saved = this.#saving
      .catch(() => undefined)
      .then(() => this.#history.kvPut(KV_PREFIX + this.roomId, bytes));
    saved.catch(this.#reportError);
    this.#saving = saved;
  }
}
