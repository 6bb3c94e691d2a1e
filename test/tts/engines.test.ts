import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TargetModel } from '../../src/dashscope/models.ts';
import { UserError } from '../../src/errors.ts';
import { createTtsEngine, engineKindFor, type RoutingTtsEngine } from '../../src/tts/engines.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';
import { addVoice, collect, expectedPcm, failureOf, HTTP_MODEL, RT_MODEL, sent, waitFor } from './helpers.ts';

const never = new AbortController().signal;

let emu: DashScopeEmulator;
let tts: RoutingTtsEngine;
beforeAll(async () => {
  emu = await startDashScopeEmulator({ realtime: { realTimeFactor: 0 } });
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  tts = createTtsEngine({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, realtimeUrl: emu.realtimeUrl });
});
afterEach(() => tts.close());

describe('engineKindFor', () => {
  it.each([
    ['qwen3-tts-vd-realtime-2026-01-15', 'realtime'],
    ['qwen3-tts-vd-realtime-2025-12-16', 'realtime'],
    ['qwen3-tts-flash-realtime', 'realtime'],
    ['qwen3-tts-vd-2026-01-26', 'http'],
    ['qwen3-tts-flash', undefined],
    ['', undefined],
  ])('%s → %s', (model, kind) => {
    expect(engineKindFor(model)).toBe(kind);
  });
});

describe('createTtsEngine', () => {
  it('speaks realtime-bound voices over the WebSocket and the others over HTTP', async () => {
    const live = addVoice(emu, 'live', RT_MODEL);
    const recorded = addVoice(emu, 'recorded', HTTP_MODEL);
    const a = await collect(tts.synthesize({ text: 'Realtime one.', voice: live }, never));
    const b = await collect(tts.synthesize({ text: 'HTTP one.', voice: recorded }, never));
    expect(Buffer.concat(a).equals(expectedPcm('Realtime one.', live))).toBe(true);
    expect(Buffer.concat(b).equals(expectedPcm('HTTP one.', recorded))).toBe(true);
    expect(tts.realtime.stats.utterances).toBe(1);
    expect(tts.http.stats.utterances).toBe(1);
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
  });

  it('fails with a UserError for a model no engine speaks, sending nothing', async () => {
    const voice = { ...addVoice(emu, 'odd', RT_MODEL), targetModel: 'qwen3-tts-flash' as TargetModel };
    const { error } = await failureOf(tts.synthesize({ text: 'Hello.', voice }, never));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('qwen3-tts-flash');
    tts.prewarm(voice);
    expect(emu.requests).toHaveLength(0);
    expect(emu.ctx.stats.realtimeSessions).toBe(0);
  });

  it('forwards prewarm to the realtime engine only', async () => {
    tts.prewarm(addVoice(emu, 'live', RT_MODEL));
    tts.prewarm(addVoice(emu, 'recorded', HTTP_MODEL));
    await waitFor(() => sent(emu, 'session.update').length === 1);
    await sleep(30);
    expect(tts.realtime.stats).toMatchObject({ prewarmed: 1, sessionsOpened: 1 });
    await tts.close();
    expect(tts.realtime.stats).toMatchObject({ sessionsOpen: 0, sessionsFinished: 1 });
  });
});
