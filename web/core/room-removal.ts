/**
 * Learning that this user is no longer in a room: a verified chain entry
 * that kicks or bans us (or a leave we signed on another device), or the
 * relay's kick/ban notice once the relay also refuses to route us. A notice
 * alone proves nothing — any relay can push one — so it only makes us ask,
 * and only the refusal (or the chain) closes the room.
 */
import { type SignedEntry, verifyEntry } from '../../shared/events/membership-chain.ts';
import type { RelayMessageOf } from '../../shared/protocol/relay-messages.ts';
import type { RelayClient } from './relay-client.ts';
import { RelayError } from './relay-errors.ts';
import type { ChainChange, RoomChain } from './room-chain.ts';
import type { RoomRuntime } from './room-runtime.ts';
import type { TrustStore } from './trust.ts';

export type RemovalReason = 'kicked' | 'banned' | 'left';

type RoomMemberChange = RelayMessageOf<'room.member'>['change'];

/** What `client.events` says when this user was removed from a room (or left it elsewhere). */
export interface RoomRemoval {
  roomId: string;
  roomName: string;
  reason: RemovalReason;
  /** The remover's user id, when known (kick or ban). */
  by?: string;
}

/** Our own removal as the chain shows it: why, and the remover's identity key. */
export interface ChainRemoval {
  reason: RemovalReason;
  byIk?: string;
}

export interface RemovedSelf {
  ik: string;
  deviceId: string;
}

/** The relay's removal notices and what each one claims. */
const NOTICE_REASONS: Partial<Record<RoomMemberChange, RemovalReason>> = {
  kicked: 'kicked',
  banned: 'banned',
  left: 'left',
};

export function noticeReason(change: RoomMemberChange): RemovalReason | null {
  return NOTICE_REASONS[change] ?? null;
}

/**
 * Our removal among a chain change's new entries, or null. The chain has
 * verified and folded them already; this only reads who did what. A leave
 * this very device signed is not news (`leaveRoom` is closing the room).
 */
export function removalInChange(change: ChainChange, me: RemovedSelf): ChainRemoval | null {
  if (!change.removed.includes(me.ik)) return null;
  return lastAboutMe(change.fresh, me, { skipOwnDevice: true });
}

/**
 * On start: whether the stored chain ends with us removed (the relay may
 * still list the room — a relay that kept routing us, or a kick it never
 * heard of). Null while we are a member or hold no chain yet.
 */
export function removalInChain(chain: RoomChain, me: RemovedSelf): ChainRemoval | null {
  if (!chain.state.value || chain.amMember()) return null;
  return lastAboutMe(chain.entries, me, { skipOwnDevice: false });
}

export interface RemovalWatchOptions {
  relay: RelayClient;
  trust: TrustStore;
  me: RemovedSelf & { userId: string };
  /** The room as open now (a removal seen for an older runtime of it is stale). */
  openRoom: (roomId: string) => RoomRuntime | undefined;
  /** We are out of this open room: close it and say so (the caller says it once). */
  onRemoved: (runtime: RoomRuntime, reason: RemovalReason, by: string | undefined) => void;
}

/** Watches open rooms' chains and the relay's notices for this user's removal. */
export class RemovalWatch {
  readonly #opts: RemovalWatchOptions;
  /** Rooms this device is leaving itself (`leaveRoom`): their removal is not news. */
  readonly #leaving = new Set<string>();
  readonly #off: () => void;

  constructor(opts: RemovalWatchOptions) {
    this.#opts = opts;
    this.#off = opts.relay.events.on('push', (msg) => {
      if (msg.t === 'room.member') this.#onNotice(msg);
    });
  }

  /** Start-up: the stored chain ends with our removal (and we are not joining again). */
  removedByStoredChain(runtime: RoomRuntime): boolean {
    return !runtime.joining && removalInChain(runtime.chain, this.#opts.me) !== null;
  }

  /** Follows an open room's chain for an entry that removes us. */
  watch(runtime: RoomRuntime): void {
    runtime.chain.events.on('changed', (change) => {
      const removal = removalInChange(change, this.#opts.me);
      if (!removal) return;
      const by = removal.byIk ? this.#opts.trust.userIdForIk(removal.byIk) : undefined;
      // After the chain's other listeners: closing the room mid-change would cut them off.
      queueMicrotask(() => this.#removed(runtime, removal.reason, by));
    });
  }

  /** Runs this device's own leave with news of the room's removal muted meanwhile. */
  async leaving<T>(roomId: string, leave: () => Promise<T>): Promise<T> {
    this.#leaving.add(roomId);
    try {
      return await leave();
    } finally {
      this.#leaving.delete(roomId);
    }
  }

  close(): void {
    this.#off();
  }

  /**
   * The relay says we were removed. Any relay can say so, so the notice only
   * makes us ask: the room closes when the relay also refuses to route us
   * (NOT_MEMBER), or when the chain's verified entry arrives.
   */
  #onNotice(notice: RelayMessageOf<'room.member'>): void {
    const reason = noticeReason(notice.change);
    if (!reason || notice.userId !== this.#opts.me.userId) return;
    const runtime = this.#opts.openRoom(notice.roomId);
    if (!runtime || this.#leaving.has(notice.roomId)) return;
    this.#opts.relay.call({ t: 'room.members', roomId: notice.roomId }, 'room.members.ok').then(
      // Still routed: a false or stale notice.
      () => {},
      (error: unknown) => {
        if (error instanceof RelayError && error.code === 'NOT_MEMBER')
          this.#removed(runtime, reason, notice.by);
      },
    );
  }

  #removed(runtime: RoomRuntime, reason: RemovalReason, by: string | undefined): void {
    const roomId = runtime.roomId;
    if (this.#opts.openRoom(roomId) !== runtime || this.#leaving.has(roomId)) return;
    this.#opts.onRemoved(runtime, reason, by);
  }
}

/** The latest entry that changed our own membership, if it removed us. */
function lastAboutMe(
  entries: readonly SignedEntry[],
  me: RemovedSelf,
  opts: { skipOwnDevice: boolean },
): ChainRemoval | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const read = verifyEntry(entries[i]!);
    if (!read.ok) continue;
    const { body, by, byDevice } = read.value;
    switch (body.op) {
      case 'kick':
      case 'ban':
        if (body.subject !== me.ik) break;
        return { reason: body.op === 'kick' ? 'kicked' : 'banned', byIk: by };
      case 'leave':
        if (by !== me.ik) break;
        return opts.skipOwnDevice && byDevice === me.deviceId ? null : { reason: 'left' };
      case 'join':
      case 'create':
        if (by === me.ik) return null;
        break;
      default:
        break;
    }
  }
  return null;
}
