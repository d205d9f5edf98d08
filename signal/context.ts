/**
 * Everything a handler may use, built once per relay by server.ts. Handlers
 * are plain functions of (ctx, conn, msg), so tests and a future multi-node
 * relay can assemble a context differently.
 */

import type { ChallengeBook } from '../shared/crypto/relay-auth.ts';
import type { RelayLimitsT } from '../shared/protocol/relay-messages.ts';
import type { RelayConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Presence } from './presence.ts';
import type { RateLimiterMemory } from './rate-limiter.ts';
import type { RelayStore } from './store/store.ts';

export interface AuthLimiters {
  /** login / register / device.add per client address. */
  authPerIp: RateLimiterMemory;
  /** Password blob releases per account (lower-cased username). */
  blobPerAccount: RateLimiterMemory;
  blobPerIp: RateLimiterMemory;
}

export interface RelayContext {
  readonly config: RelayConfig;
  readonly store: RelayStore;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly presence: Presence;
  readonly challenges: ChallengeBook;
  readonly limiters: AuthLimiters;
  /** Secret for fake prelogin salts; random, persisted on first start. */
  readonly pepper: Uint8Array;
  readonly limits: RelayLimitsT;
  readonly relayVersion: string;
  /** Protocol clock (challenges, mailbox expiry); tests may shift it. */
  now(): number;
}
