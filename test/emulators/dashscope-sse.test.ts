import { request } from 'undici';
import { beforeEach, describe, expect, it } from 'vitest';
import { synthesizePcm, wavFile } from './dashscope/audio.ts';
import { useDashScopeEmulator } from './dashscope/fixture.ts';
import type { DashScopeEmulator } from './dashscope/server.ts';
import { addVoice } from './dashscope-realtime.helpers.ts';
import { generate, generationBody, type SseEvent } from './dashscope-sse.helpers.ts';

const MODEL = 'qwen3-tts-vd-2026-01-26';
const TEXT = 'A line spoken over HTTP.';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emu: DashScopeEmulator;
let voice: string;
useDashScopeEmulator((started) => (emu = started));
beforeEach(() => {
  voice = addVoice(emu, 'bard', MODEL);
});

// biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
const payload = (event: SseEvent): any => JSON.parse(event.data);
const pcmOf = (events: SseEvent[]): Buffer =>
  Buffer.concat(events.map((e) => Buffer.from(payload(e).output.audio.data as string, 'base64')));

describe('SSE stream', () => {
  it('streams base64 PCM 24 kHz result events, then a stop event with the URL', async () => {
    const answer = await generate(emu, generationBody(TEXT, voice), true);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/event-stream/);
    const { events } = answer;
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => String(i + 1)));
    for (const event of events) {
      expect(event).toMatchObject({ event: 'result', comments: ['HTTP_STATUS/200'] });
      expect(event.dataLines).toHaveLength(1);
    }
    const bodies = events.map(payload);
    const last = bodies.at(-1)!;
    expect(bodies.slice(0, -1).every((b) => b.output.finish_reason === 'null')).toBe(true);
    expect(last.output).toMatchObject({ finish_reason: 'stop', audio: { data: '' } });
    expect(last.output.audio.url).toMatch(/^http:\/\/.+\.wav\?Expires=\d+/);
    expect(new Set(bodies.map((b) => b.output.audio.id)).size).toBe(1);
    expect(bodies[0].output.audio.id).toMatch(/^audio_/);
    expect(bodies[0].request_id).toMatch(UUID);
    expect(bodies.every((b) => b.usage.characters === TEXT.length)).toBe(true);
    expect(pcmOf(events).equals(synthesizePcm(TEXT, voice, 24000))).toBe(true);
    expect(Buffer.from(bodies[0].output.audio.data, 'base64')).toHaveLength(4800);
  });

  it('counts CJK ideographs twice', async () => {
    const answer = await generate(emu, generationBody('你好，朋友。', voice), true);
    expect(payload(answer.events.at(-1)!).usage.characters).toBe(10);
  });

  it('paces the events like the realtime socket', async () => {
    Object.assign(emu.ctx.options.realtime, { realTimeFactor: 0.25, firstPacketDelayMs: 60 });
    const started = performance.now();
    const { events } = await generate(emu, generationBody(TEXT, voice), true);
    const results = events.slice(0, -1);
    expect(results[0]!.at - started).toBeGreaterThanOrEqual(55);
    const span = results.at(-1)!.at - results[0]!.at;
    expect(span).toBeGreaterThanOrEqual((results.length - 1) * 25 - 15);
  });

  it('splits the JSON over several data: lines (multiLineData), once', async () => {
    emu.faults.sse.multiLineData = true;
    const split = await generate(emu, generationBody(TEXT, voice), true);
    expect(split.events.every((e) => e.dataLines.length > 3)).toBe(true);
    expect(pcmOf(split.events.slice(0, -1)).equals(synthesizePcm(TEXT, voice, 24000))).toBe(true);
    const next = await generate(emu, generationBody(TEXT, voice), true);
    expect(next.events.every((e) => e.dataLines.length === 1)).toBe(true);
  });

  it('sends event:error after N result events (errorAfterEvents), once', async () => {
    emu.faults.sse.errorAfterEvents = 2;
    const { events } = await generate(emu, generationBody(TEXT, voice), true);
    expect(events.map((e) => e.event)).toEqual(['result', 'result', 'error']);
    expect(events[2]!.comments).toEqual(['HTTP_STATUS/500']);
    expect(payload(events[2]!)).toMatchObject({
      code: 'InternalError',
      message: expect.any(String),
      request_id: expect.stringMatching(UUID),
    });
    const next = await generate(emu, generationBody(TEXT, voice), true);
    expect(next.events.at(-1)!.event).toBe('result');
  });
});

describe('plain JSON', () => {
  it('answers with a WAV URL that serves the same audio', async () => {
    const answer = await generate(emu, generationBody(TEXT, voice), false);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      output: {
        finish_reason: 'stop',
        audio: { data: '', id: expect.stringMatching(/^audio_/), expires_at: expect.any(Number) },
      },
      usage: { characters: TEXT.length },
      request_id: expect.stringMatching(UUID),
    });
    const url = new URL(answer.json.output.audio.url);
    expect(url.host).toBe(new URL(emu.baseUrl).host);
    const wav = await download(url);
    expect(wav.status).toBe(200);
    expect(wav.body.equals(wavFile(synthesizePcm(TEXT, voice, 24000), 24000))).toBe(true);
    const missing = await download(new URL('/emulator-results/audio_0000.wav', url));
    expect(missing.status).toBe(404);
  });

  it.each([
    ['an empty text', generationBody('', 'x'), 'InvalidParameter', 'Range of input length should be [1, 600]'],
    [
      '601 characters',
      generationBody('a'.repeat(601), 'x'),
      'InvalidParameter',
      'Range of input length should be [1, 600]',
    ],
    ['an unknown model', generationBody(TEXT, 'x', 'qwen3-tts-nope'), 'InvalidParameter', 'Model not exist.'],
    ['no model', { input: { text: TEXT } }, 'BadRequest.EmptyModel', undefined],
  ])('rejects %s with a plain JSON 400, even when SSE was asked for', async (_name, body, code, message) => {
    const answer = await generate(emu, body, true);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.json.code).toBe(code);
    if (message !== undefined) expect(answer.json.message).toBe(message);
  });

  it('accepts exactly 600 characters', async () => {
    const answer = await generate(emu, generationBody('b'.repeat(600), voice), false);
    expect(answer.status).toBe(200);
  });

  it.each([
    ['an unknown voice', () => 'qwen-tts-vd-ghost-voice-20260101120000-dead'],
    ['a voice bound to the realtime model', () => addVoice(emu, 'rt', 'qwen3-tts-vd-realtime-2026-01-15')],
    ['a system voice', () => 'Cherry'],
  ])('rejects %s', async (_name, voiceOf) => {
    const id = voiceOf();
    const answer = await generate(emu, generationBody(TEXT, id), true);
    expect(answer.status).toBe(400);
    expect(answer.json.code).toBe('InvalidParameter');
    expect(answer.json.message).toContain(id);
  });
});

/** Fetches a result URL's path from the emulator, as a client downloads the signed URL. */
async function download(url: URL): Promise<{ status: number; body: Buffer }> {
  const res = await request(`${emu.baseUrl}${url.pathname}${url.search}`);
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}
