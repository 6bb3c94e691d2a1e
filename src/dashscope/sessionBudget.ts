/**
 * DashScope's account-wide request budget (180 new realtime sessions per minute, spec §1.9) as counters every
 * process shares: `rate-limiter-flexible` windows in Redis, or in memory when the store is not Redis.
 * @remarks Two windows per budget: the minute (the documented limit) and a one-second sub-limit that smooths
 * bursts (DashScope refuses "Request rate increased too quickly", `Throttling.BurstRate`). A sub-limit rather
 * than the library's `execEvenly`: `execEvenly` delays every call in its own process, even when the minute is
 * nearly unused, and knows nothing of the other processes; the sub-limit lives in Redis with the minute and
 * costs no wait until the rate really bursts.
 */
import { createHash } from 'node:crypto';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
} from 'rate-limiter-flexible';

/** How long one Redis round of the limiter may take before the in-memory budget answers instead, ms. */
export const LIMITER_REDIS_TIMEOUT_MS = 500;

/** The budget's size. */
export interface BudgetLimits {
  perMinute: number;
  perSecond: number;
  /** Length of the "minute" window, s (60; tests shorten it). */
  windowSeconds?: number;
}

/** The outcome of one try: granted, or refused with how long until the window that refused frees a point. */
export type Take = { granted: true } | { granted: false; retryInMs: number; window: 'second' | 'minute' };

/** Where a budget's counters live, and what to do when Redis fails. */
export interface BudgetStore {
  /** A connected node-redis client (`@keyv/redis`'s `createClient`), or undefined for in-process counters. */
  redis?: unknown;
  /** Called on every Redis failure; the in-memory twin answered that try. */
  onStoreError?: (error: unknown) => void;
}

/** One window: a Redis limiter with its in-memory twin for when Redis fails, or only the twin. */
interface Window {
  shared: RateLimiterAbstract | undefined;
  local: RateLimiterMemory;
}

/**
 * A budget of points (one per new session or design call) in a minute and a second window.
 * @remarks Redis down: each try falls back to a per-process in-memory window of the same size, with
 * `onStoreError` told. Speech goes on (bounded: at most the limit per process), and a DashScope 429 that this
 * lets through is waited out and retried by the caller, so nothing blocks on a dead Redis.
 */
export class SessionBudget {
  readonly limits: BudgetLimits;
  /** Redis failures so far (each answered by the in-memory twin). */
  storeErrors = 0;
  readonly #key: string;
  readonly #minute: Window;
  readonly #second: Window;
  readonly #onStoreError: (error: unknown) => void;

  /** `name` tells budgets apart (`sessions`, `designs`); `apiKey` scopes them to one account (only a hash is kept). */
  constructor(name: string, apiKey: string, limits: BudgetLimits, store: BudgetStore = {}) {
    this.limits = limits;
    this.#key = `${name}:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
    this.#onStoreError = store.onStoreError ?? (() => {});
    this.#minute = window(store.redis, 'voicebot:limit:min', limits.perMinute, limits.windowSeconds ?? 60);
    this.#second = window(store.redis, 'voicebot:limit:sec', limits.perSecond, 1);
  }

  /**
   * Takes one point from both windows, keeping `reserve` points of the minute for others.
   * @remarks A refused try takes nothing: what the library counted is given back at once.
   */
  async take(reserve = 0): Promise<Take> {
    const second = await this.#consume(this.#second);
    if (second.refused) {
      await this.#reward(this.#second);
      return { granted: false, retryInMs: second.res.msBeforeNext, window: 'second' };
    }
    const minute = await this.#consume(this.#minute);
    if (!minute.refused && minute.res.remainingPoints >= reserve) return { granted: true };
    await Promise.all([this.#reward(this.#second), this.#reward(this.#minute)]);
    return { granted: false, retryInMs: Math.max(1, minute.res.msBeforeNext), window: 'minute' };
  }

  /** Gives one point back to both windows (a take that was not used). */
  async refund(): Promise<void> {
    await Promise.all([this.#reward(this.#second), this.#reward(this.#minute)]);
  }

  async #consume(w: Window): Promise<{ refused: boolean; res: RateLimiterRes }> {
    const run = (limiter: RateLimiterAbstract) =>
      limiter.consume(this.#key).then(
        (res) => ({ refused: false, res }),
        (error: unknown) => {
          if (error instanceof RateLimiterRes) return { refused: true, res: error };
          throw error;
        },
      );
    if (w.shared === undefined) return run(w.local);
    try {
      return await run(w.shared);
    } catch (error) {
      this.storeErrors += 1;
      this.#onStoreError(error);
      return run(w.local);
    }
  }

  async #reward(w: Window): Promise<void> {
    try {
      await (w.shared ?? w.local).reward(this.#key);
    } catch (error) {
      this.storeErrors += 1;
      this.#onStoreError(error);
    }
  }
}

function window(redis: unknown, keyPrefix: string, points: number, duration: number): Window {
  const local = new RateLimiterMemory({ keyPrefix, points, duration });
  if (redis === undefined) return { shared: undefined, local };
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    useRedisPackage: true,
    rejectIfRedisNotReady: true,
    keyPrefix,
    points,
    duration,
  });
  return { shared: new RLWrapperTimeouts({ limiter, timeoutMs: LIMITER_REDIS_TIMEOUT_MS }), local };
}
