import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AccountLimiter, LimitWaitTooLong } from '../../src/dashscope/accountLimiter.ts';
import { type BudgetLimits, SessionBudget } from '../../src/dashscope/sessionBudget.ts';
import { RealtimeTts } from '../../src/tts/realtimeTts.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { FAST_PACING } from '../emulators/dashscope/fixture.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';
import { sessionLimitStats } from '../emulators/dashscope/session-limit.ts';
import { addVoice, collect, expectedPcm, failureOf, RT_MODEL } from './helpers.ts';

type V = CharacterVoice;
const never = new AbortController().signal;
let emu: DashScopeEmulator;
let tts: RealtimeTts | undefined;
let accounts = 0;

beforeAll(async () => {
  emu = await startDashScopeEmulator({ realtime: FAST_PACING });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());
afterEach(async () => {
  await tts?.close();
  tts = undefined;
});

function engineWith(limits: BudgetLimits, maxWaitMs: number): { engine: RealtimeTts; limiter: AccountLimiter } {
  accounts += 1;
  const budget = new SessionBudget('sessions', `${emu.apiKey}-${accounts}`, limits);
  const limiter = new AccountLimiter(budget, { maxWaitMs, sayReserve: 0 });
  tts = new RealtimeTts({ apiKey: emu.apiKey, realtimeUrl: emu.realtimeUrl, warmIdleMs: 60_000, limiter });
  return { engine: tts, limiter };
}

describe('RealtimeTts with the account limiter', () => {
  it('takes a point per new session only, and fails an utterance that would wait too long', async () => {
    Object.assign(emu.ctx.options.sessionLimit, { perMinute: 2, perSecond: 0, windowMs: 60_000 });
    const { engine, limiter } = engineWith({ perMinute: 2, perSecond: 2 }, 1_000);
    const [a, b, c] = ['ann', 'bob', 'cy'].map((name) => addVoice(emu, name, RT_MODEL)) as [V, V, V];
    for (const voice of [a, b, a, b]) await collect(engine.synthesize({ text: 'Hello there.', voice }, never));
    const { error, chunks } = await failureOf(engine.synthesize({ text: 'Hi.', voice: c, priority: 'say' }, never));
    expect(error).toBeInstanceOf(LimitWaitTooLong);
    expect(chunks).toEqual([]);
    expect(engine.stats).toMatchObject({ sessionsOpened: 2, utterances: 5, warmUtterances: 2 });
    expect(limiter.counters).toMatchObject({ admitted: 2, refused: 1 });
    expect(sessionLimitStats(emu.ctx)).toEqual({ accepted: 2, refusedRate: 0, refusedBurst: 0 });
  });

  it('waits out a handshake DashScope refuses with 429 and speaks the utterance on the retry', async () => {
    Object.assign(emu.ctx.options.sessionLimit, { perMinute: 1, perSecond: 0, windowMs: 1_500 });
    const { engine, limiter } = engineWith({ perMinute: 100, perSecond: 100 }, 15_000);
    const [a, b] = ['ann', 'bob'].map((name) => addVoice(emu, name, RT_MODEL)) as [V, V];
    await collect(engine.synthesize({ text: 'First.', voice: a }, never));
    const second = engine.synthesize({ text: 'Second, after a refusal.', voice: b }, never);
    const pcm = Buffer.concat(await collect(second));
    expect(pcm.equals(expectedPcm('Second, after a refusal.', b))).toBe(true);
    expect(sessionLimitStats(emu.ctx).refusedRate).toBeGreaterThanOrEqual(1);
    expect(limiter.counters.throttled).toBe(sessionLimitStats(emu.ctx).refusedRate);
    expect(second.metrics.limiterWaitMs).toBeGreaterThan(0);
    expect(engine.stats.sessionsOpen).toBe(2);
  });

  it('pre-warms only with a point to spare, and gives back a point it did not use', async () => {
    const { engine, limiter } = engineWith({ perMinute: 2, perSecond: 2 }, 1_000);
    const [ann, bob, cy] = ['ann', 'bob', 'cy'].map((name) => addVoice(emu, name, RT_MODEL)) as [V, V, V];
    engine.prewarm(ann);
    await expect.poll(() => engine.stats.prewarmed).toBe(1);
    engine.prewarm(ann); // already open: its point is given back
    await expect.poll(() => limiter.counters.admitted).toBe(2);
    engine.prewarm(bob);
    await expect.poll(() => engine.stats.prewarmed).toBe(2);
    engine.prewarm(cy);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(engine.stats).toMatchObject({ sessionsOpened: 2, prewarmed: 2 });
    expect(limiter.counters.admitted).toBe(3);
  });

  it('a pre-warm racing the utterance it readies opens one session between them', async () => {
    const { engine } = engineWith({ perMinute: 10, perSecond: 10 }, 5_000);
    const dee = addVoice(emu, 'dee', RT_MODEL);
    engine.prewarm(dee); // e.g. the next queued line, started at once behind its pre-warm
    const pcm = Buffer.concat(await collect(engine.synthesize({ text: 'Raced, but only once.', voice: dee }, never)));
    expect(pcm.equals(expectedPcm('Raced, but only once.', dee))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100)); // a losing pre-warm would have opened by now
    expect(engine.stats.sessionsOpened).toBe(1);
  });
});
