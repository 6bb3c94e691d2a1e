import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DashScopeEmulator, startDashScopeEmulator } from './dashscope/server.ts';
import { sessionLimitStats } from './dashscope/session-limit.ts';
import { connect, refusedUpgrade } from './dashscope-realtime.helpers.ts';

const MODEL = 'qwen3-tts-vd-realtime-2026-01-15';
let emu: DashScopeEmulator;

beforeAll(async () => {
  emu = await startDashScopeEmulator({ sessionLimit: { perMinute: 180 } });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  Object.assign(emu.ctx.options.sessionLimit, { perMinute: 180, perSecond: 0, windowMs: 60_000 });
});

/** Opens `count` sessions, `batch` at a time, and closes each once open. */
async function openSessions(count: number, batch = 30): Promise<void> {
  for (let done = 0; done < count; done += batch) {
    const probes = await Promise.all(Array.from({ length: Math.min(batch, count - done) }, () => connect(emu, MODEL)));
    for (const probe of probes) probe.ws.close();
  }
}

const refused = () => refusedUpgrade(`${emu.realtimeUrl}?model=${MODEL}`, { authorization: `Bearer ${emu.apiKey}` });

describe('session limit per API key', () => {
  it('accepts 180 sessions a minute across connections, refuses the 181st with 429 Throttling.RateQuota', async () => {
    await openSessions(180);
    const refusal = await refused();
    expect(refusal.status).toBe(429);
    expect(refusal.body).toMatchObject({
      code: 'Throttling.RateQuota',
      message: 'Requests rate limit exceeded, please try again later.',
      request_id: expect.any(String),
    });
    expect(sessionLimitStats(emu.ctx)).toEqual({ accepted: 180, refusedRate: 1, refusedBurst: 0 });
    expect(emu.ctx.stats.realtimeSessions).toBe(180);
  });

  it('counts a sliding window: a session is accepted again once the oldest has left it', async () => {
    emu.ctx.options.sessionLimit.windowMs = 1_000;
    emu.ctx.options.sessionLimit.perMinute = 2;
    await openSessions(2);
    expect((await refused()).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await openSessions(1);
    expect(sessionLimitStats(emu.ctx)).toMatchObject({ accepted: 3, refusedRate: 1 });
  });

  it('refuses a burst past perSecond with Throttling.BurstRate when that rule is on', async () => {
    emu.ctx.options.sessionLimit.perSecond = 3;
    await openSessions(3);
    const refusal = await refused();
    expect(refusal).toMatchObject({ status: 429, body: { code: 'Throttling.BurstRate' } });
    expect(refusal.body.message).toMatch(/increased too quickly/);
  });

  it('is off by default', async () => {
    const plain = await startDashScopeEmulator();
    try {
      expect(plain.ctx.options.sessionLimit).toMatchObject({ perMinute: 0, perSecond: 0 });
    } finally {
      await plain.close();
    }
  });
});
