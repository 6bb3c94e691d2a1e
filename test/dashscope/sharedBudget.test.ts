import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AccountLimiter } from '../../src/dashscope/accountLimiter.ts';
import { SessionBudget } from '../../src/dashscope/sessionBudget.ts';

const FIXTURE = new URL('./fixtures/takeBudget.ts', import.meta.url).pathname;
const redisUrl = inject('redisUrl');
const newClient = () => createClient({ url: redisUrl, disableOfflineQueue: true });
const clients: ReturnType<typeof newClient>[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i += 1) {
    const client = newClient();
    await client.connect();
    clients.push(client);
  }
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
});

/** A fresh account key, so runs never share counters. */
const account = (): string => `sk-shared-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** Lines a child prints, one promise per line. */
function lines(child: ChildProcess): () => Promise<string> {
  const queue: string[] = [];
  let wake: (() => void) | undefined;
  let rest = '';
  child.stdout?.on('data', (data: Buffer) => {
    const parts = (rest + data.toString()).split('\n');
    rest = parts.pop() ?? '';
    queue.push(...parts);
    wake?.();
  });
  return async () => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift() as string;
  };
}

describe('one budget in Redis, shared', () => {
  it('two limiters on two connections grant the minute once between them', async () => {
    const apiKey = account();
    const limits = { perMinute: 5, perSecond: 100 };
    const [a, b] = clients.map((redis) => new SessionBudget('sessions', apiKey, limits, { redis }));
    const takes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ((i % 2 === 0 ? a : b) as SessionBudget).take()),
    );
    expect(takes.filter((t) => t.granted)).toHaveLength(5);
    const other = new SessionBudget('sessions', account(), limits, { redis: clients[0] });
    expect(await other.take()).toEqual({ granted: true });
  });

  it('two processes drawing at once are granted exactly the limit between them', async () => {
    const apiKey = account();
    const children = [0, 1].map(() =>
      spawn(process.execPath, [FIXTURE, redisUrl, apiKey, '30', '25'], { stdio: ['pipe', 'pipe', 'inherit'] }),
    );
    const readers = children.map(lines);
    for (const read of readers) expect(await read()).toBe('ready');
    for (const child of children) child.stdin?.end('go\n');
    const results = await Promise.all(readers.map(async (read) => JSON.parse(await read()) as { granted: number }));
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
    expect(results.map((r) => r.granted).reduce((x, y) => x + y)).toBe(30);
    expect(results).toEqual([expect.objectContaining({ storeErrors: 0 }), expect.objectContaining({ storeErrors: 0 })]);
  });

  it('limiters on two connections share the second window: two of four admissions wait for it', async () => {
    const apiKey = account();
    const limits = { perMinute: 100, perSecond: 2 };
    const [a, b] = clients.map(
      (redis) => new AccountLimiter(new SessionBudget('sessions', apiKey, limits, { redis }), { maxWaitMs: 10_000 }),
    );
    const waits = await Promise.all([
      (a as AccountLimiter).admit('narration'),
      (b as AccountLimiter).admit('narration'),
      (a as AccountLimiter).admit('say'),
      (b as AccountLimiter).admit('say'),
    ]);
    expect(waits.filter((ms) => ms >= 100)).toHaveLength(2);
    expect((a as AccountLimiter).counters.admitted + (b as AccountLimiter).counters.admitted).toBe(4);
  });
});
