import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { validateDesign } from '../../src/dashscope/validate.ts';
import { VoiceDesignClient } from '../../src/dashscope/voiceDesign.ts';
import { UserError } from '../../src/errors.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';

const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 5_000 };
const design = (over: Record<string, unknown> = {}) =>
  validateDesign(
    {
      description: 'A gravelly old sea captain, slow and warm.',
      previewText: 'Ahoy there, welcome aboard my ship, friend.',
      preferredName: 'captain',
      language: 'en',
      format: 'pcm',
      ...over,
    },
    { targetModel: 'qwen3-tts-vd-realtime-2026-01-15' },
  );

let emu: DashScopeEmulator;
let client: VoiceDesignClient;
const clientWith = (over: Partial<ConstructorParameters<typeof VoiceDesignClient>[0]> = {}) =>
  new VoiceDesignClient({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, timeoutMs: 5_000, retry: FAST_RETRY, ...over });

beforeAll(async () => {
  emu = await startDashScopeEmulator();
});
afterAll(() => emu.close());
beforeEach(() => {
  emu.reset();
  client = clientWith();
});

describe('create', () => {
  it('returns the voice id, target model and the decoded preview audio', async () => {
    const created = await client.create(design());
    expect(created.voiceId).toMatch(/^qwen-tts-vd-captain-voice-\d{14,17}-[0-9a-f]{4}$/);
    expect(created.targetModel).toBe('qwen3-tts-vd-realtime-2026-01-15');
    expect(created.preview?.format).toBe('pcm');
    expect(created.preview?.sampleRate).toBe(24_000);
    expect(created.preview?.audio.length).toBeGreaterThan(24_000); // > 0.5 s of 16-bit mono
    expect(emu.voices.has(created.voiceId)).toBe(true);
  });

  it('sends every parameter of the spec', async () => {
    await client.create(
      design({
        language: 'ja',
        sampleRate: 48_000,
        format: 'wav',
        targetModel: 'qwen3-tts-vd-2026-01-26',
        previewText: 'こんにちは、私は船長です。よろしくお願いします。',
      }),
    );
    const body = emu.requests.at(-1)?.body as {
      model: string;
      input: Record<string, unknown>;
      parameters: Record<string, unknown>;
    };
    expect(body.model).toBe('qwen-voice-design');
    expect(body.input).toMatchObject({
      action: 'create',
      target_model: 'qwen3-tts-vd-2026-01-26',
      preferred_name: 'captain',
      language: 'ja',
    });
    expect(body.parameters).toEqual({ sample_rate: 48_000, response_format: 'wav' });
  });

  it('retries a throttled create (nothing was made) and creates exactly one voice', async () => {
    emu.faults.http.throttleNext = 2;
    await client.create(design());
    expect(emu.voices.size).toBe(1);
    expect(emu.requests.filter((r) => r.action === 'create')).toHaveLength(3);
  });

  it('never retries a create whose outcome is unknown (5xx, dropped answer, timeout)', async () => {
    emu.faults.http.dropAfterProcessingNext = 1;
    const dropped = await client.create(design()).catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(DashScopeError);
    expect((dropped as DashScopeError).outcomeUnknown).toBe(true);
    expect(emu.voices.size).toBe(1); // made once, not twice
    emu.faults.http.serverErrorNext = 1;
    const failed = (await client.create(design()).catch((e: unknown) => e)) as DashScopeError;
    expect([failed.status, failed.code, failed.outcomeUnknown]).toEqual([500, 'InternalError', true]);
    emu.faults.http.stallAfterProcessingNext = 1;
    emu.faults.http.stallAfterProcessingMs = 2_000;
    const slow = (await clientWith({ timeoutMs: 300 })
      .create(design())
      .catch((e: unknown) => e)) as DashScopeError;
    expect([slow.code, slow.outcomeUnknown]).toEqual(['Timeout', true]);
    expect(emu.requests.filter((r) => r.action === 'create')).toHaveLength(3);
  });

  it('retries a create when the connection was refused (nothing was sent)', async () => {
    const port = await freePort();
    const dead = clientWith({ baseUrl: `http://127.0.0.1:${port}` });
    const error = (await dead.create(design()).catch((e: unknown) => e)) as DashScopeError;
    expect([error.code, error.status, error.outcomeUnknown]).toEqual(['NetworkError', 0, false]);
  });
});

describe('bad input never reaches DashScope', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['empty description', { description: '  ' }],
    ['description over 2048', { description: 'x'.repeat(2049) }],
    ['preview text over 1024', { previewText: 'y'.repeat(1025) }],
    ['preview text under 15', { previewText: 'too short' }],
    ['preferred name with a dash', { preferredName: 'sea-captain' }],
    ['preferred name over 16', { preferredName: 'a'.repeat(17) }],
    ['unknown language', { language: 'xx' }],
    ['unknown model', { targetModel: 'qwen3-tts-flash-realtime' }],
    ['sample rate', { sampleRate: 44_100 }],
    ['format', { format: 'flac' }],
  ];
  it.each(cases)('%s', (_label, over) => {
    expect(() => design(over)).toThrow(UserError);
  });
  it('reports every problem at once', () => {
    const error = (() => {
      try {
        design({ language: 'xx', preferredName: '-', previewText: 'short' });
      } catch (e) {
        return e as UserError;
      }
    })();
    expect(error?.message.split('\n')).toHaveLength(3);
  });
  it('checks page bounds and voice ids before sending', async () => {
    await expect(client.list({ pageIndex: 201 })).rejects.toThrow(UserError);
    await expect(client.list({ pageSize: 0 })).rejects.toThrow(UserError);
    await expect(client.query('not a voice!')).rejects.toThrow(UserError);
    await expect(client.delete('')).rejects.toThrow(UserError);
    expect(emu.requests).toHaveLength(0);
  });
});

describe('list, query, delete', () => {
  it('pages through the account with total_count', async () => {
    for (let i = 0; i < 5; i++) await client.create(design({ preferredName: `v${i}` }));
    const page = await client.list({ pageIndex: 1, pageSize: 2 });
    expect(page.totalCount).toBe(5);
    expect(page.voices).toHaveLength(2);
    const all = await Array.fromAsync(client.listAll(undefined, 2));
    expect(new Set(all.map((v) => v.voiceId))).toEqual(new Set(emu.voices.keys()));
  });

  it('queries and deletes; VoiceNotFound is a typed error with its request id', async () => {
    const { voiceId } = await client.create(design());
    const voice = await client.query(voiceId);
    expect(voice).toMatchObject({ voiceId, description: 'A gravelly old sea captain, slow and warm.', language: 'en' });
    await client.delete(voiceId);
    const error = (await client.query(voiceId).catch((e: unknown) => e)) as DashScopeError;
    expect(error).toBeInstanceOf(DashScopeError);
    expect([error.status, error.code]).toEqual([400, 'VoiceNotFound']);
    expect(error.requestId).toMatch(/\w{8}/);
    expect(error.message).toMatch(/no voice with that id/);
  });

  it('treats VoiceNotFound after an unanswered delete as done', async () => {
    const { voiceId } = await client.create(design());
    emu.faults.http.dropAfterProcessingNext = 1;
    await client.delete(voiceId);
    expect(emu.voices.has(voiceId)).toBe(false);
  });

  it('retries throttling, 5xx and dropped connections for reads, within its bounds', async () => {
    emu.faults.http.throttleNext = 1;
    emu.faults.http.serverErrorNext = 1;
    emu.faults.http.dropNext = 1;
    await expect(client.list()).resolves.toMatchObject({ totalCount: 0 });
    expect(emu.requests.filter((r) => r.action === 'list').length).toBeGreaterThanOrEqual(1);
    emu.faults.http.throttleNext = 10;
    const error = (await client.list().catch((e: unknown) => e)) as DashScopeError;
    expect([error.status, error.code]).toEqual([429, 'Throttling.RateQuota']);
    expect(emu.faults.http.throttleNext).toBe(10 - FAST_RETRY.maxAttempts);
  });
});

describe('errors in plain language', () => {
  const codes: [number, string, RegExp][] = [
    [400, 'Arrearage', /good standing/],
    [403, 'AllocationQuota.FreeTierOnly', /free tier/],
    [400, 'DataInspectionFailed', /content filter/],
  ];
  it.each(codes)('%s %s', async (status, code, plain) => {
    emu.faults.http.failNextWith = { status, code, message: 'server says no' };
    const error = (await client.list().catch((e: unknown) => e)) as DashScopeError;
    expect([error.status, error.code, error.serverMessage]).toEqual([status, code, 'server says no']);
    expect(error.message).toMatch(plain);
    expect(emu.requests).toHaveLength(1); // not retried
  });
  it('InvalidApiKey, without the key in the message', async () => {
    const bad = clientWith({ apiKey: 'sk-wrong-secret' });
    const error = (await bad.list().catch((e: unknown) => e)) as DashScopeError;
    expect([error.status, error.code]).toEqual([401, 'InvalidApiKey']);
    expect(error.message).toMatch(/rejected the API key/);
    expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain('sk-wrong-secret');
  });
});

it('stops at once when the caller aborts', async () => {
  emu.faults.http.latencyMs = 2_000;
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(new Error('user cancelled')), 50);
  await expect(client.list({}, controller.signal)).rejects.toThrow('user cancelled');
  expect(Date.now() - started).toBeLessThan(1_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
