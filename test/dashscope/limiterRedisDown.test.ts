import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { type AccountLimits, openAccountLimits } from '../../src/dashscope/accountLimits.ts';
import { createLogger } from '../../src/log.ts';
import { freePort } from '../setup/redis.ts';

let redis: ChildProcess | undefined;
let limits: AccountLimits | undefined;
const logs: string[] = [];
const log = createLogger(
  'warn',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  }),
);

async function startRedis(port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'ignore'] });
  for await (const chunk of child.stdout ?? []) if (String(chunk).includes('Ready to accept')) break;
  return child;
}

async function stopRedis(): Promise<void> {
  const child = redis;
  redis = undefined;
  if (child === undefined || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

afterAll(async () => {
  await limits?.close();
  await stopRedis();
});

describe('the limiter while Redis is down', () => {
  it('keeps admitting from the in-memory budget with one warning, and goes back to Redis when it returns', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    const accountLimit = { sessionsPerMinute: 100, sessionsPerSecond: 100, designsPerMinute: 60, maxWaitMs: 5_000 };
    limits = await openAccountLimits(
      { storeUrl: `redis://127.0.0.1:${port}`, accountLimit, dashscope: { apiKey: 'sk-down' } },
      log,
    );
    expect(limits.shared).toBe('redis');
    await limits.sessions.admit('say');
    expect(limits.sessions.counters.storeErrors).toBe(0);

    await stopRedis();
    for (let i = 0; i < 3; i += 1) await limits.sessions.admit('narration');
    expect(limits.sessions.counters).toMatchObject({ admitted: 4, refused: 0 });
    const errors = limits.sessions.counters.storeErrors;
    expect(errors).toBeGreaterThanOrEqual(3);
    expect(logs.filter((line) => line.includes('cannot reach Redis'))).toHaveLength(1);

    redis = await startRedis(port);
    const sessions = limits.sessions;
    await expect
      .poll(
        async () => {
          const before = sessions.counters.storeErrors;
          await sessions.admit('say');
          return sessions.counters.storeErrors === before;
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(true);
  });

  it('does not wait on a Redis that hangs: each round gives up after its timeout and counts in memory', async () => {
    await limits?.close();
    await stopRedis();
    const port = await freePort();
    redis = await startRedis(port);
    const accountLimit = { sessionsPerMinute: 100, sessionsPerSecond: 100, designsPerMinute: 60, maxWaitMs: 5_000 };
    limits = await openAccountLimits(
      { storeUrl: `redis://127.0.0.1:${port}`, accountLimit, dashscope: { apiKey: 'sk-hung' } },
      log,
    );
    await limits.sessions.admit('say');
    redis.kill('SIGSTOP');
    try {
      await limits.sessions.admit('say');
      expect(limits.sessions.counters).toMatchObject({ admitted: 2 });
      expect(limits.sessions.counters.storeErrors).toBeGreaterThanOrEqual(1);
    } finally {
      redis.kill('SIGCONT');
    }
  });
});
