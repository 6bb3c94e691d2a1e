import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { synthesizePcm } from './dashscope/audio.ts';
import { MP3_PLACEHOLDER, OPUS_PLACEHOLDER } from './dashscope/preview.ts';
import { type DashScopeEmulator, GENERATION_PATH, startDashScopeEmulator } from './dashscope/server.ts';
import { actionBody, createBody, createVoice, parseWavHeader, post } from './dashscope-http.helpers.ts';

const VOICE_ID = /^qwen-tts-vd-narrator-voice-\d{17}-[0-9a-f]{4}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GMT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

let emu: DashScopeEmulator;
beforeAll(async () => {
  emu = await startDashScopeEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('create', () => {
  it('creates a voice and answers in the documented shape', async () => {
    const answer = await post(emu, createBody());
    expect(answer.status).toBe(200);
    const { output, usage, request_id } = answer.json;
    expect(Object.keys(answer.json).sort()).toEqual(['output', 'request_id', 'usage']);
    expect(output.voice).toMatch(VOICE_ID);
    expect(output.target_model).toBe('qwen3-tts-vd-realtime-2026-01-15');
    expect(output.preview_audio).toMatchObject({ sample_rate: 24000, response_format: 'wav' });
    expect(usage).toEqual({ count: 1 });
    expect(request_id).toMatch(UUID);
    expect(emu.voices.get(output.voice)).toMatchObject({
      language: 'en',
      previewText: 'Once upon a time, in a quiet village.',
    });
    expect(emu.ctx.stats.voicesCreated).toBe(1);
  });

  it('defaults language to zh, sample_rate to 24000 and response_format to wav', async () => {
    const body = createBody({ language: undefined }, { sample_rate: undefined, response_format: undefined });
    const answer = await post(emu, body);
    expect(answer.json.output.preview_audio).toMatchObject({ sample_rate: 24000, response_format: 'wav' });
    expect(emu.voices.get(answer.json.output.voice)?.language).toBe('zh');
  });

  it('gives every voice a unique id, even with the same name in the same millisecond', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => createVoice(emu)));
    expect(new Set(ids).size).toBe(20);
    expect(emu.voices.size).toBe(20);
  });

  it.each([8000, 16000, 24000, 48000])('returns an exact 16-bit mono WAV preview at %i Hz', async (rate) => {
    const answer = await post(emu, createBody({}, { sample_rate: rate }));
    const wav = Buffer.from(answer.json.output.preview_audio.data, 'base64');
    const pcm = synthesizePcm('Once upon a time, in a quiet village.', answer.json.output.voice, rate);
    expect(parseWavHeader(wav)).toEqual({
      riff: 'RIFF',
      riffSize: wav.length - 8,
      wave: 'WAVE',
      fmt: 'fmt ',
      fmtSize: 16,
      audioFormat: 1,
      channels: 1,
      sampleRate: rate,
      byteRate: rate * 2,
      blockAlign: 2,
      bitsPerSample: 16,
      data: 'data',
      dataSize: pcm.length,
    });
    expect(wav.subarray(44).equals(pcm)).toBe(true);
  });

  it('returns raw s16le PCM for response_format pcm', async () => {
    const answer = await post(emu, createBody({}, { sample_rate: 16000, response_format: 'pcm' }));
    const pcm = Buffer.from(answer.json.output.preview_audio.data, 'base64');
    expect(answer.json.output.preview_audio).toMatchObject({ sample_rate: 16000, response_format: 'pcm' });
    expect(pcm.equals(synthesizePcm('Once upon a time, in a quiet village.', answer.json.output.voice, 16000))).toBe(
      true,
    );
  });

  it.each([
    ['mp3', MP3_PLACEHOLDER],
    ['opus', OPUS_PLACEHOLDER],
  ])('returns the documented placeholder for %s', async (format, bytes) => {
    const answer = await post(emu, createBody({}, { response_format: format }));
    expect(answer.json.output.preview_audio.response_format).toBe(format);
    expect(Buffer.from(answer.json.output.preview_audio.data, 'base64').equals(bytes)).toBe(true);
  });
});

describe('list, query, delete', () => {
  it('lists newest first with total_count and pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await createVoice(emu, { preferred_name: `v${i}` }));
    // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
    const page = async (index: number): Promise<Record<string, any>> =>
      (await post(emu, actionBody('list', { page_index: index, page_size: 2 }))).json;
    const first = await page(0);
    expect(first.output).toMatchObject({ page_index: 0, page_size: 2, total_count: 5 });
    expect(first.usage).toEqual({});
    const pages = [first, await page(1), await page(2), await page(3)];
    expect(pages.map((p) => p.output.voice_list.map((v: { voice: string }) => v.voice))).toEqual([
      [ids[4], ids[3]],
      [ids[2], ids[1]],
      [ids[0]],
      [],
    ]);
  });

  it('lists with page_index 0 and page_size 10 by default, every field present', async () => {
    for (let i = 0; i < 12; i += 1) await createVoice(emu);
    const { output } = (await post(emu, actionBody('list'))).json;
    expect(output).toMatchObject({ page_index: 0, page_size: 10, total_count: 12 });
    expect(output.voice_list).toHaveLength(10);
    const entry = output.voice_list[0];
    expect(Object.keys(entry).sort()).toEqual([
      'gmt_create',
      'gmt_modified',
      'language',
      'preview_text',
      'target_model',
      'voice',
      'voice_prompt',
    ]);
    expect(entry.gmt_create).toMatch(GMT);
  });

  it('queries a voice with its fields flat in output', async () => {
    const voice = await createVoice(emu, { target_model: 'qwen3-tts-vd-2026-01-26', language: 'ja' });
    const answer = await post(emu, actionBody('query', { voice }));
    expect(answer.status).toBe(200);
    expect(answer.json.output).toMatchObject({
      voice,
      target_model: 'qwen3-tts-vd-2026-01-26',
      language: 'ja',
      voice_prompt: 'A calm, low narrator voice with a slight rasp.',
      preview_text: 'Once upon a time, in a quiet village.',
    });
    expect(answer.json.usage).toEqual({});
  });

  it('deletes a voice, after which it is gone', async () => {
    const voice = await createVoice(emu);
    const answer = await post(emu, actionBody('delete', { voice }));
    expect(answer.status).toBe(200);
    expect(answer.json.output).toEqual({ voice });
    expect(answer.json.usage).toEqual({});
    expect(emu.voices.has(voice)).toBe(false);
    expect((await post(emu, actionBody('list'))).json.output.total_count).toBe(0);
  });

  it.each(['query', 'delete'])('%s of an unknown voice is 400 VoiceNotFound', async (action) => {
    const answer = await post(emu, actionBody(action, { voice: 'qwen-tts-vd-ghost-voice-1-abcd' }));
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      request_id: expect.stringMatching(UUID),
      code: 'VoiceNotFound',
      message: 'Voice not found: qwen-tts-vd-ghost-voice-1-abcd',
    });
  });
});

describe('auth, routes and recording', () => {
  it.each([
    ['no header', null],
    ['a wrong key', 'Bearer sk-wrong'],
    ['another scheme', `Basic sk-emulator-key`],
  ])('refuses %s with 401 InvalidApiKey', async (_name, auth) => {
    const answer = await post(emu, createBody(), { auth });
    expect(answer.status).toBe(401);
    expect(answer.json).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
    expect(emu.voices.size).toBe(0);
  });

  it.each(['bearer', 'BEARER'])('accepts the scheme spelled %s', async (scheme) => {
    expect((await post(emu, actionBody('list'), { auth: `${scheme} ${emu.apiKey}` })).status).toBe(200);
  });

  it('checks auth on the generation endpoint too', async () => {
    const answer = await post(emu, { model: 'qwen3-tts-vd-2026-01-26' }, { path: GENERATION_PATH, auth: null });
    expect(answer.status).toBe(401);
    expect(answer.json.code).toBe('InvalidApiKey');
  });

  it('answers unknown paths and methods with a DashScope-shaped 404', async () => {
    for (const [path, method] of [
      ['/api/v1/nope', 'POST'],
      ['/api/v1/services/audio/tts/customization', 'GET'],
    ] as const) {
      const answer = await post(emu, {}, { path, method });
      expect(answer.status).toBe(404);
      expect(Object.keys(answer.json).sort()).toEqual(['code', 'message', 'request_id']);
    }
  });

  it.each([
    ['an unknown path to 404', '/api-ws/v1/other', 404],
    ['the realtime path to the realtime handler (401 without a key)', '/api-ws/v1/realtime?model=m', 401],
  ])('routes an upgrade on %s', async (_name, path, status) => {
    const ws = new WebSocket(`${emu.baseUrl.replace('http', 'ws')}${path}`);
    ws.on('error', () => {});
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, IncomingMessage];
    expect(response.statusCode).toBe(status);
    ws.terminate();
  });

  it('records every request with its action and never the API key', async () => {
    await createVoice(emu);
    await post(emu, actionBody('list'), { auth: null });
    await post(emu, { model: 'qwen3-tts-vd-2026-01-26' }, { path: GENERATION_PATH });
    expect(emu.requests.map((r) => [r.method, r.path, r.action])).toEqual([
      ['POST', '/api/v1/services/audio/tts/customization', 'create'],
      ['POST', '/api/v1/services/audio/tts/customization', 'list'],
      ['POST', GENERATION_PATH, 'generation'],
    ]);
    expect(emu.requests[0]?.body).toEqual(createBody());
    expect(JSON.stringify(emu.requests)).not.toContain(emu.apiKey);
  });

  it('reset clears voices, requests and faults but keeps the same objects', async () => {
    await createVoice(emu);
    const { voices, requests, faults } = emu;
    emu.faults.http.throttleNext = 3;
    emu.reset();
    expect([voices.size, requests.length, faults.http.throttleNext]).toEqual([0, 0, 0]);
    expect(emu.voices).toBe(voices);
    expect(emu.faults.http).toBe(faults.http);
  });
});
