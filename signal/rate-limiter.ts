/**
 * rate-limiter-flexible's in-memory limiter, loaded on its own. The package
 * index requires every backend (Redis, Mongo, Postgres, …), which costs about
 * 30 ms of relay start-up (TARGETS P8) for nothing; the memory limiter file
 * has no other dependencies. Types come from the package as usual.
 */
import { createRequire } from 'node:module';
import type { RateLimiterMemory as RateLimiterMemoryType } from 'rate-limiter-flexible';

const require = createRequire(import.meta.url);

export const RateLimiterMemory =
  require('rate-limiter-flexible/lib/RateLimiterMemory.js') as typeof RateLimiterMemoryType;
export type RateLimiterMemory = RateLimiterMemoryType;
