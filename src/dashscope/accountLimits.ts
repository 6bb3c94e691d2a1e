/**
 * Builds DashScope's account-wide limiters from the configuration: on Redis when `STORE_URL` is Redis (every
 * process shares one budget), else in this process only.
 * @remarks The limiter has its own Redis connection, without an offline queue and with a short timeout per
 * round (see `SessionBudget`): a Redis that is down or hung costs each new session at most that timeout, then
 * the in-memory budget answers and a warning is logged (at most once a minute).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { parseStoreUrl } from '../voices/storeUrl.ts';
import { AccountLimiter, type LimiterObserver } from './accountLimiter.ts';
import { SessionBudget } from './sessionBudget.ts';

/** Longest pause between the limiter's Redis reconnect attempts, ms. */
const RECONNECT_MAX_MS = 2_000;
/** How long opening the limiters waits for Redis, ms. */
const CONNECT_WAIT_MS = 3_000;
/** Least time between two "limiter store failing" warnings, ms. */
const WARN_EVERY_MS = 60_000;

/** The two limiters: new realtime sessions, and voice-design calls. */
export interface AccountLimits {
  sessions: AccountLimiter;
  designs: AccountLimiter;
  /** Where the budget lives. */
  shared: 'redis' | 'process';
  close(): Promise<void>;
}

/** What {@link openAccountLimits} reads. */
export type AccountLimitsConfig = Pick<Config, 'storeUrl' | 'accountLimit'> & { dashscope: { apiKey: string } };

/** Opens the limiters; never fails on Redis (a limiter that cannot reach it counts in memory). */
export async function openAccountLimits(
  config: AccountLimitsConfig,
  log: Logger,
  observers: { sessions?: LimiterObserver; designs?: LimiterObserver } = {},
): Promise<AccountLimits> {
  const { accountLimit: limit, dashscope } = config;
  const location = parseStoreUrl(config.storeUrl);
  const redis = location.kind === 'redis' ? await connect(location.url, log) : undefined;
  let warnedAt = Number.NEGATIVE_INFINITY;
  const store = {
    redis,
    onStoreError: (error: unknown): void => {
      if (performance.now() - warnedAt < WARN_EVERY_MS) return;
      warnedAt = performance.now();
      log.warn({ err: error }, 'the DashScope limiter cannot reach Redis: each process counts alone until it is back');
    },
  };
  const sessionLimits = { perMinute: limit.sessionsPerMinute, perSecond: limit.sessionsPerSecond };
  const designLimits = { perMinute: limit.designsPerMinute, perSecond: Math.ceil(limit.designsPerMinute / 30) };
  const sessions = new AccountLimiter(new SessionBudget('sessions', dashscope.apiKey, sessionLimits, store), {
    maxWaitMs: limit.maxWaitMs,
    observer: observers.sessions ?? {},
  });
  const designs = new AccountLimiter(new SessionBudget('designs', dashscope.apiKey, designLimits, store), {
    maxWaitMs: limit.maxWaitMs,
    sayReserve: 0,
    unit: 'voice designs',
    observer: observers.designs ?? {},
  });
  return {
    sessions,
    designs,
    shared: redis === undefined ? 'process' : 'redis',
    close: async () => {
      if (redis?.isReady) await redis.close();
      else if (redis?.isOpen) redis.destroy();
    },
  };
}

/** A client that fails commands at once while disconnected (no offline queue) and keeps reconnecting. */
async function connect(url: string, log: Logger) {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(2 ** retries * 50, RECONNECT_MAX_MS) },
  });
  client.on('error', () => {}); // reported through the budget's onStoreError, throttled
  // Not awaited past CONNECT_WAIT_MS: node-redis keeps retrying, and the budget counts in memory meanwhile.
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  const ready = await Promise.race([connected, delay(CONNECT_WAIT_MS, false, { ref: false })]);
  if (!ready) log.warn('the DashScope limiter could not connect to Redis yet; it counts in memory meanwhile');
  return client;
}
