import { createClient } from '@keyv/redis';
import { describe, expect, it } from 'vitest';
import { AccountLimiter, type AdmissionPriority, LimitWaitTooLong } from '../../src/dashscope/accountLimiter.ts';
import { type BudgetLimits, SessionBudget } from '../../src/dashscope/sessionBudget.ts';
import { memberMessage } from '../../src/discord/memberMessage.ts';

let keys = 0;
/** An in-process budget under a fresh account key. */
function budget(limits: BudgetLimits): SessionBudget {
  keys += 1;
  return new SessionBudget('sessions', `sk-unit-${keys}-${process.pid}`, limits);
}

describe('SessionBudget (in memory)', () => {
  it('grants the per-second sub-limit, then refuses until the second is over; a refusal takes nothing', async () => {
    const b = budget({ perMinute: 10, perSecond: 2 });
    expect(await b.take()).toEqual({ granted: true });
    expect(await b.take()).toEqual({ granted: true });
    const refused = await b.take();
    expect(refused).toMatchObject({ granted: false, window: 'second' });
    expect(refused.granted === false && refused.retryInMs).toBeLessThanOrEqual(1_000);
    await b.refund();
    expect(await b.take()).toEqual({ granted: true });
  });

  it('keeps `reserve` points of the minute for others', async () => {
    const b = budget({ perMinute: 3, perSecond: 5 });
    expect(await b.take(1)).toEqual({ granted: true });
    expect(await b.take(1)).toEqual({ granted: true });
    expect(await b.take(1)).toMatchObject({ granted: false, window: 'minute' });
    expect(await b.take(0)).toEqual({ granted: true });
    expect(await b.take(0)).toMatchObject({ granted: false, window: 'minute' });
  });

  it('counts in memory and reports the error when its Redis is not reachable', async () => {
    const errors: unknown[] = [];
    const redis = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true });
    const b = new SessionBudget(
      'sessions',
      'sk-down',
      { perMinute: 1, perSecond: 1 },
      {
        redis,
        onStoreError: (error) => errors.push(error),
      },
    );
    expect(await b.take()).toEqual({ granted: true });
    expect(await b.take()).toMatchObject({ granted: false });
    expect(errors.length).toBeGreaterThanOrEqual(2);
  });
});

describe('AccountLimiter', () => {
  it('admits at once while the budget lasts', async () => {
    const limiter = new AccountLimiter(budget({ perMinute: 5, perSecond: 5 }), { maxWaitMs: 10_000 });
    const waits = await Promise.all([1, 2, 3].map(() => limiter.admit('narration')));
    expect(waits).toHaveLength(3);
    expect(limiter.counters).toMatchObject({ admitted: 3, refused: 0 });
  });

  it('fails a wait that would pass the bound once, with a message for the member', async () => {
    const refusedBy: AdmissionPriority[] = [];
    const limiter = new AccountLimiter(budget({ perMinute: 2, perSecond: 2 }), {
      maxWaitMs: 2_000,
      sayReserve: 0,
      observer: { refused: (priority) => refusedBy.push(priority) },
    });
    await limiter.admit('say');
    await limiter.admit('say');
    const error = await limiter.admit('say').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitWaitTooLong);
    expect(memberMessage(error)).toMatch(/allows 2 new voice sessions a minute .* over 2 s\. Try again in a minute\./);
    expect(refusedBy).toEqual(['say']);
    expect(limiter.counters).toMatchObject({ admitted: 2, refused: 1 });
    expect(limiter.waiting).toBe(0);
  });

  it('lets /say go before narration that waits, and narration in its order', async () => {
    const waited: AdmissionPriority[] = [];
    const limiter = new AccountLimiter(budget({ perMinute: 20, perSecond: 1 }), {
      maxWaitMs: 15_000,
      observer: { waited: (priority) => waited.push(priority) },
    });
    await limiter.admit('narration');
    const order: string[] = [];
    const queued = [
      limiter.admit('narration').then(() => order.push('n1')),
      limiter.admit('narration').then(() => order.push('n2')),
      limiter.admit('say').then(() => order.push('say')),
    ];
    await Promise.all(queued);
    expect(order).toEqual(['say', 'n1', 'n2']);
    expect(waited).toEqual(['say', 'narration', 'narration']);
  });

  it('keeps the reserve of the minute for /say: narration is refused, /say is admitted', async () => {
    const limiter = new AccountLimiter(budget({ perMinute: 4, perSecond: 4 }), { maxWaitMs: 1_000, sayReserve: 2 });
    await limiter.admit('narration');
    await limiter.admit('narration');
    await expect(limiter.admit('narration')).rejects.toBeInstanceOf(LimitWaitTooLong);
    await limiter.admit('say');
    await limiter.admit('say');
    await expect(limiter.admit('say')).rejects.toBeInstanceOf(LimitWaitTooLong);
    expect(await limiter.tryAdmit()).toBe(false);
  });

  it('drops an aborted waiter with the abort reason', async () => {
    const limiter = new AccountLimiter(budget({ perMinute: 10, perSecond: 1 }), { maxWaitMs: 10_000 });
    await limiter.admit('say');
    const controller = new AbortController();
    const waiting = limiter.admit('say', controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort(new Error('skipped'));
    await expect(waiting).rejects.toThrow('skipped');
    expect(limiter.waiting).toBe(0);
  });

  it('after a DashScope 429 holds waiters for the pause, and fails those it would keep too long', async () => {
    const limiter = new AccountLimiter(budget({ perMinute: 10, perSecond: 10 }), { maxWaitMs: 500 });
    limiter.throttled(5_000);
    await expect(limiter.admit('say')).rejects.toBeInstanceOf(LimitWaitTooLong);
    expect(limiter.counters).toMatchObject({ throttled: 1, refused: 1, admitted: 0 });
    expect(await limiter.tryAdmit()).toBe(false);
  });
});
