import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DashScopeEmulator, GENERATION_PATH, startDashScopeEmulator } from './dashscope/server.ts';
import { actionBody, createBody, post } from './dashscope-http.helpers.ts';

let emu: DashScopeEmulator;
beforeAll(async () => {
  emu = await startDashScopeEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const generation = { model: 'qwen3-tts-vd-2026-01-26', input: { text: 'Hello', voice: 'qwen-tts-vd-x-voice-1-abcd' } };

describe('HTTP faults', () => {
  it('latencyMs delays every response', async () => {
    emu.faults.http.latencyMs = 250;
    const answer = await post(emu, actionBody('list'));
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(240);
  });

  it('throttleNext answers 429 Throttling.RateQuota N times, processing nothing', async () => {
    emu.faults.http.throttleNext = 2;
    for (let i = 0; i < 2; i += 1) {
      const answer = await post(emu, createBody());
      expect(answer.status).toBe(429);
      expect(answer.json).toMatchObject({ code: 'Throttling.RateQuota', request_id: expect.any(String) });
    }
    expect(emu.voices.size).toBe(0);
    expect(emu.faults.http.throttleNext).toBe(0);
    expect((await post(emu, createBody())).status).toBe(200);
  });

  it('serverErrorNext answers 500 InternalError', async () => {
    emu.faults.http.serverErrorNext = 1;
    const answer = await post(emu, createBody());
    expect([answer.status, answer.json.code]).toEqual([500, 'InternalError']);
    expect(emu.voices.size).toBe(0);
    expect((await post(emu, createBody())).status).toBe(200);
  });

  it('fires one fault per request, in order: throttle, then server error', async () => {
    emu.faults.http.throttleNext = 1;
    emu.faults.http.serverErrorNext = 1;
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await post(emu, actionBody('list'))).status);
    expect(statuses).toEqual([429, 500, 200]);
  });

  it.each([
    { status: 400, code: 'Arrearage', message: 'Access denied, please make sure your account is in good standing.' },
    { status: 403, code: 'AllocationQuota.FreeTierOnly', message: 'The free tier of the model has been exhausted.' },
    { status: 400, code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' },
  ])('failNextWith answers $status $code once', async (fault) => {
    emu.faults.http.failNextWith = fault;
    const answer = await post(emu, createBody());
    expect(answer.status).toBe(fault.status);
    expect(answer.json).toMatchObject({ code: fault.code, message: fault.message });
    expect(emu.voices.size).toBe(0);
    expect(emu.faults.http.failNextWith).toBeNull();
    expect((await post(emu, createBody())).status).toBe(200);
  });

  it('dropNext destroys the connection before processing', async () => {
    emu.faults.http.dropNext = 1;
    await expect(post(emu, createBody())).rejects.toThrow();
    expect(emu.voices.size).toBe(0);
    expect(emu.requests).toHaveLength(1);
    expect((await post(emu, createBody())).status).toBe(200);
  });

  it('dropAfterProcessingNext creates the voice, then drops the connection unanswered', async () => {
    emu.faults.http.dropAfterProcessingNext = 1;
    await expect(post(emu, createBody({ preferred_name: 'orphan' }))).rejects.toThrow();
    expect(emu.voices.size).toBe(1);
    const listed = (await post(emu, actionBody('list'))).json.output.voice_list;
    expect(listed[0].voice).toMatch(/^qwen-tts-vd-orphan-voice-/);
  });

  it('dropAfterProcessingNext deletes the voice, then drops the connection', async () => {
    const voice = (await post(emu, createBody())).json.output.voice;
    emu.faults.http.dropAfterProcessingNext = 1;
    await expect(post(emu, actionBody('delete', { voice }))).rejects.toThrow();
    expect(emu.voices.has(voice)).toBe(false);
  });

  it('stallAfterProcessing holds the response after the voice exists', async () => {
    Object.assign(emu.faults.http, { stallAfterProcessingNext: 1, stallAfterProcessingMs: 400 });
    const pending = post(emu, createBody());
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(emu.voices.size).toBe(1);
    const answer = await pending;
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThanOrEqual(390);
    expect((await post(emu, actionBody('list'))).ms).toBeLessThan(300);
  });

  it('a client timeout during a stall leaves the created voice behind', async () => {
    Object.assign(emu.faults.http, { stallAfterProcessingNext: 1, stallAfterProcessingMs: 5_000 });
    await expect(post(emu, createBody(), { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(emu.voices.size).toBe(1);
  });

  it.each([
    ['throttleNext', 429, 'Throttling.RateQuota'],
    ['serverErrorNext', 500, 'InternalError'],
  ] as const)('%s applies to the generation endpoint', async (fault, status, code) => {
    emu.faults.http[fault] = 1;
    const answer = await post(emu, generation, { path: GENERATION_PATH });
    expect([answer.status, answer.json.code]).toEqual([status, code]);
  });

  it('failNextWith, dropNext and dropAfterProcessingNext apply to the generation endpoint', async () => {
    emu.faults.http.failNextWith = { status: 400, code: 'Arrearage', message: 'no money' };
    expect((await post(emu, generation, { path: GENERATION_PATH })).json.code).toBe('Arrearage');
    emu.faults.http.dropNext = 1;
    await expect(post(emu, generation, { path: GENERATION_PATH })).rejects.toThrow();
    emu.faults.http.dropAfterProcessingNext = 1;
    await expect(post(emu, generation, { path: GENERATION_PATH })).rejects.toThrow();
    expect(emu.requests.map((r) => r.action)).toEqual(['generation', 'generation', 'generation']);
  });

  it('stallAfterProcessing holds the generation response', async () => {
    Object.assign(emu.faults.http, { stallAfterProcessingNext: 1, stallAfterProcessingMs: 300 });
    const answer = await post(emu, generation, { path: GENERATION_PATH });
    expect(answer.ms).toBeGreaterThanOrEqual(290);
  });
});

describe('lifecycle', () => {
  it('takes initial faults and options at start', async () => {
    const other = await startDashScopeEmulator({ apiKey: 'sk-other', faults: { http: { throttleNext: 1 } } });
    try {
      expect(other.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(other.realtimeUrl).toBe(`${other.baseUrl.replace('http', 'ws')}/api-ws/v1/realtime`);
      expect((await post(other, actionBody('list'))).status).toBe(429);
      expect((await post(other, actionBody('list'))).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('close() returns promptly even with a stalled request open', async () => {
    const other = await startDashScopeEmulator({
      faults: { http: { stallAfterProcessingNext: 1, stallAfterProcessingMs: 60_000 } },
    });
    const pending = post(other, createBody()).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
