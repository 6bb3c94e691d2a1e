/**
 * Settlements while Redis goes away, on a real redis-server of the test's own: a change refused while Redis is
 * down is tried again and lands once when it returns; a change that timed out (it may have run) is not tried
 * again, so it never counts twice.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Settlements } from '../../src/spend/settlements.ts';
import { openStore, type Store } from '../../src/voices/store.ts';
import { isStoreUnavailable } from '../../src/voices/storeFault.ts';
import { OwnRedis } from '../setup/ownRedis.ts';

const DELAYS_MS = [200, 400, 800, 1_600, 3_200, 6_400];
const charge = [{ bucket: 'g:1:m', field: 'chars', by: 7 }];

describe('Settlements on a Redis that goes away', () => {
  let redis: OwnRedis;
  let store: Store;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    store = await openStore(redis.url, { namespace: 'settle', timeoutMs: 500 });
  });
  afterAll(async () => {
    await store?.close();
    await redis?.close();
  });

  /** Kills Redis and waits until the client knows (a command sent as it died may or may not have run). */
  async function down(): Promise<void> {
    await redis.kill();
    while (
      await store.ping().then(
        () => true,
        (error: unknown) => (error as Error).message !== 'The client is offline',
      )
    )
      await delay(20);
  }

  it('retries a settlement refused while Redis is down and lands it once when Redis returns', async () => {
    const settlements = new Settlements(store.counters, DELAYS_MS);
    await down();
    const settling = settlements.apply(charge);
    await delay(300);
    await redis.restart();
    await settling;
    expect(await store.counters.read('g:1:m')).toEqual({ chars: 7 });
  });

  it('does not retry a settlement that timed out (it may have run), so it counts once', async () => {
    const settlements = new Settlements(store.counters, DELAYS_MS);
    redis.freeze();
    const timedOut = await settlements.apply(charge).then(
      () => undefined,
      (error: unknown) => error,
    );
    redis.thaw();
    expect(isStoreUnavailable(timedOut)).toBe(true);
    // The script reached Redis before it froze; it runs once when Redis wakes, and is not sent again.
    const end = Date.now() + 10_000;
    while ((await store.counters.read('g:1:m')).chars !== 14 && Date.now() < end) await delay(50);
    await delay(DELAYS_MS[0]! * 3);
    expect(await store.counters.read('g:1:m')).toEqual({ chars: 14 });
  });

  it('flush cuts pending retries short so shutdown is not held up', async () => {
    const settlements = new Settlements(store.counters, [60_000]);
    await down();
    const settling = settlements.apply(charge).catch((error: unknown) => error);
    await delay(100);
    await settlements.flush();
    expect(isStoreUnavailable(await settling)).toBe(true);
    await redis.restart();
    const end = Date.now() + 20_000;
    while (
      !(await store.ping().then(
        () => true,
        () => Date.now() > end,
      ))
    )
      await delay(50);
    await expect(store.ping()).resolves.toBeUndefined();
  });
});
