/**
 * A store that survives its faults, on real parts: a redis-server of the test's own killed, frozen and started
 * again, and a SQLite file another process keeps locked. Operations fail in bounded time with an error the bot
 * answers as "storage unavailable", write nothing half-done, and work again by themselves once the store is back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { memberMessage } from '../../src/discord/memberMessage.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { openStore, type Store } from '../../src/voices/store.ts';
import { isStoreUnavailable, STORE_UNAVAILABLE_REPLY } from '../../src/voices/storeFault.ts';
import { OwnRedis } from '../setup/ownRedis.ts';
import { type HeldLock, holdSqliteLock } from '../setup/sqliteLock.ts';
import { voice } from './backends.ts';

const TIMEOUT_MS = 500;
/** Generous bound for "failed rather than hung": far above the timeout, far below the old 12 s of waiting. */
const FAILS_WITHIN_MS = 8_000;

/** The error `task` rejects with, and how long it took. */
async function failure(task: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await task();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error('expected the store operation to fail');
}

/** Retries `task` until it succeeds (the store is back) or `timeoutMs` passes. */
async function recovered<T>(task: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await task();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function expectUnavailable({ error, ms }: { error: unknown; ms: number }): void {
  expect(isStoreUnavailable(error), String(error)).toBe(true);
  expect(memberMessage(error)).toBe(STORE_UNAVAILABLE_REPLY);
  expect(ms).toBeLessThan(FAILS_WITHIN_MS);
}

describe('Redis stopped and started again', () => {
  let redis: OwnRedis;
  let store: Store;
  let registry: VoiceRegistry;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    store = await openStore(redis.url, { namespace: 'faults', timeoutMs: TIMEOUT_MS });
    registry = new VoiceRegistry(store.keyv, { maxPerGuild: 10 });
  });
  afterAll(async () => {
    await store?.close();
    await redis?.close();
  });

  it('refuses at once while Redis is down (no offline queue), then recovers by itself with the data kept', async () => {
    await registry.add('g1', voice('Before'));
    await redis.kill();
    expectUnavailable(await failure(() => registry.list('g1')));
    expectUnavailable(await failure(() => registry.add('g1', voice('During'))));
    expectUnavailable(await failure(() => store.counters.apply([{ bucket: 'b', field: 'f', by: 1 }])));
    await expect(store.ping()).rejects.toSatisfy(isStoreUnavailable);
    await redis.restart();
    await recovered(() => store.ping());
    await registry.add('g1', voice('After'));
    expect((await registry.list('g1')).map((v) => v.name)).toEqual(['After', 'Before']);
  });

  it('times out commands to a Redis that stopped answering, and carries on once it answers again', async () => {
    redis.freeze();
    try {
      expectUnavailable(await failure(() => registry.list('g1')));
      expectUnavailable(await failure(() => registry.remove('g1', 'After')));
    } finally {
      redis.thaw();
    }
    const names = await recovered(async () => (await registry.list('g1')).map((v) => v.name));
    expect(names).toContain('Before');
  });
});

describe('a SQLite file another process keeps locked', () => {
  let dir: string;
  let store: Store | undefined;
  let lock: HeldLock | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voicebot-locked-'));
  });
  afterEach(async () => {
    await lock?.release();
    await store?.close();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives up after the busy timeout with a clear error, writes nothing, and works once unlocked', async () => {
    const path = join(dir, 'locked.sqlite');
    store = await openStore(`sqlite://${path}`, { timeoutMs: TIMEOUT_MS });
    const registry = new VoiceRegistry(store.keyv, { maxPerGuild: 10 });
    await registry.add('g1', voice('Before'));
    lock = await holdSqliteLock(path);
    expectUnavailable(await failure(() => registry.add('g1', voice('Blocked'))));
    expectUnavailable(await failure(() => registry.list('g1')));
    expectUnavailable(await failure(() => store!.counters.apply([{ bucket: 'b', field: 'f', by: 1 }])));
    await lock.release();
    await registry.add('g1', voice('After'));
    expect((await registry.list('g1')).map((v) => v.name)).toEqual(['After', 'Before']);
    expect(await store.counters.read('b')).toEqual({});
  });
});
