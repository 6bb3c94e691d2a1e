import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { GENERATION_MAX_CHARS } from '../../src/dashscope/limits.ts';
import { HttpTts, type HttpTtsOptions } from '../../src/tts/httpTts.ts';
import { chunkText, codePointLength } from '../../src/tts/sentences.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { billableCharacters } from '../emulators/dashscope/audio.ts';
import { useDashScopeEmulator } from '../emulators/dashscope/fixture.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { addVoice, collect, expectedPcm, failureOf, HTTP_MODEL, sent, startTcpProxy, waitFor } from './helpers.ts';

const TEXT = 'This sentence is exactly forty chars ok.';
const never = new AbortController().signal;

let emu: DashScopeEmulator;
let tts: HttpTts;
let voice: CharacterVoice;
useDashScopeEmulator((started) => (emu = started));
beforeEach(() => {
  voice = addVoice(emu, 'narrator', HTTP_MODEL);
});
afterEach(async () => {
  await tts?.close();
});

function engine(options: Partial<HttpTtsOptions> = {}): HttpTts {
  tts = new HttpTts({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, ...options });
  return tts;
}

describe('HttpTts', () => {
  it('streams exactly the synthesized PCM and fills in the metrics', async () => {
    const synthesis = engine().synthesize({ text: TEXT, voice }, never);
    const chunks = await collect(synthesis);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((chunk) => chunk.length % 2 === 0)).toBe(true);
    expect(Buffer.concat(chunks).equals(expectedPcm(TEXT, voice))).toBe(true);
    expect(synthesis.metrics).toMatchObject({ warm: false, characters: billableCharacters(TEXT) });
    expect(synthesis.metrics.connectMs).toBeGreaterThan(0);
    expect(synthesis.metrics.firstAudioMs).toBeGreaterThanOrEqual(synthesis.metrics.connectMs);
    expect(sent(emu, 'generation')).toEqual([
      { model: HTTP_MODEL, input: { text: TEXT, voice: voice.voiceId, language_type: 'English' } },
    ]);
  });

  it('joins multi-line data fields', async () => {
    emu.faults.sse.multiLineData = true;
    const chunks = await collect(engine().synthesize({ text: TEXT, voice }, never));
    expect(Buffer.concat(chunks).equals(expectedPcm(TEXT, voice))).toBe(true);
  });

  it('turns event:error mid-stream into a DashScopeError with its status, code and request id', async () => {
    emu.faults.sse.errorAfterEvents = 2;
    const { error, chunks } = await failureOf(engine().synthesize({ text: TEXT, voice }, never));
    expect(error).toBeInstanceOf(DashScopeError);
    expect(error).toMatchObject({ status: 500, code: 'InternalError' });
    expect(error.requestId).toMatch(/\S/);
    expect(chunks).toHaveLength(2);
  });

  it('splits text over 600 characters at sentence boundaries into sequential requests', async () => {
    const text = Array.from({ length: 25 }, (_, i) => `Here is sentence ${i + 1} of a long narration.`).join(' ');
    expect(codePointLength(text)).toBeGreaterThan(GENERATION_MAX_CHARS);
    const synthesis = engine().synthesize({ text, voice }, never);
    const pcm = Buffer.concat(await collect(synthesis));
    const parts = chunkText(text, GENERATION_MAX_CHARS).map((part) => part.trim());
    const requests = sent(emu, 'generation').map((body) => body.input.text as string);
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(requests).toEqual(parts);
    for (const part of requests) {
      expect(codePointLength(part)).toBeLessThanOrEqual(GENERATION_MAX_CHARS);
      expect(part.endsWith('narration.')).toBe(true);
    }
    expect(pcm.equals(Buffer.concat(parts.map((part) => expectedPcm(part, voice))))).toBe(true);
    expect(synthesis.metrics.characters).toBe(parts.reduce((sum, part) => sum + billableCharacters(part), 0));
    expect(tts.stats).toEqual({ utterances: 1, requests: requests.length });
  });

  it.each([
    ['a 429 throttle', { throttleNext: 1 }, 429, 'Throttling.RateQuota'],
    ['a 500', { serverErrorNext: 1 }, 500, 'InternalError'],
  ] as const)('turns a JSON error before streaming (%s) into a DashScopeError', async (_name, fault, status, code) => {
    Object.assign(emu.faults.http, fault);
    const { error } = await failureOf(engine().synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status, code });
  });

  it('reports the model mismatch of a voice bound to a realtime model', async () => {
    const realtimeVoice = addVoice(emu, 'hero', 'qwen3-tts-vd-realtime-2026-01-15');
    const { error } = await failureOf(
      engine().synthesize({ text: TEXT, voice: { ...realtimeVoice, targetModel: HTTP_MODEL } }, never),
    );
    expect(error).toMatchObject({ status: 400, code: 'InvalidParameter' });
    expect(error.serverMessage).toContain('qwen3-tts-vd-realtime-2026-01-15');
  });

  it('rejects a wrong key without leaking it', async () => {
    const apiKey = 'sk-http-secret-9876543210';
    tts = new HttpTts({ apiKey, baseUrl: emu.baseUrl });
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 401, code: 'InvalidApiKey' });
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(apiKey);
  });

  it('turns a dropped connection into a NetworkError', async () => {
    emu.faults.http.dropNext = 1;
    const { error } = await failureOf(engine().synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 0, code: 'NetworkError' });
  });

  it('fires the connect timeout while headers are held back', async () => {
    Object.assign(emu.faults.http, { stallAfterProcessingMs: 2_000, stallAfterProcessingNext: 1 });
    const { error } = await failureOf(
      engine({ timeouts: { connectMs: 150 } }).synthesize({ text: TEXT, voice }, never),
    );
    expect(error).toMatchObject({ code: 'Timeout' });
    expect(error.message).toMatch(/connect/);
  });

  it('fires the first-audio timeout', async () => {
    emu.ctx.options.realtime.firstPacketDelayMs = 2_000;
    const { error } = await failureOf(
      engine({ timeouts: { firstAudioMs: 150 } }).synthesize({ text: TEXT, voice }, never),
    );
    expect(error).toMatchObject({ code: 'Timeout' });
    expect(error.message).toMatch(/first audio/);
  });

  it('does not count a slow consumer as an idle server', async () => {
    const synthesis = engine({ timeouts: { idleMs: 50 } }).synthesize({ text: 'Short.', voice }, never);
    const chunks: Buffer[] = [];
    for await (const chunk of synthesis) {
      chunks.push(chunk);
      await sleep(80);
    }
    expect(Buffer.concat(chunks).equals(expectedPcm('Short.', voice))).toBe(true);
  });

  it('stops mid-stream on abort and closes the connection at once', async () => {
    emu.ctx.options.realtime.realTimeFactor = 5;
    const proxy = await startTcpProxy(emu.baseUrl);
    try {
      tts = new HttpTts({ apiKey: emu.apiKey, baseUrl: proxy.url });
      const controller = new AbortController();
      const iterator = tts.synthesize({ text: TEXT, voice }, controller.signal)[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      const pending = iterator.next();
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      // The streaming connection closes; undici may open a fresh idle one for its pool at once, which is fine.
      // The stream would run for ≈12 s at this pace: a close within the wait can only come from the abort.
      await waitFor(() => proxy.closes.length > 0, 5_000);
    } finally {
      await proxy.close();
    }
  });

  it('closes the connection when the consumer breaks out early', async () => {
    emu.ctx.options.realtime.realTimeFactor = 5;
    const proxy = await startTcpProxy(emu.baseUrl);
    try {
      tts = new HttpTts({ apiKey: emu.apiKey, baseUrl: proxy.url });
      for await (const _ of tts.synthesize({ text: TEXT, voice }, never)) break;
      await waitFor(() => proxy.closes.length > 0, 5_000);
    } finally {
      await proxy.close();
    }
  });
});
