/**
 * Test helpers for the DashScope emulator's HTTP half: real requests over loopback with undici.
 */
import { request } from 'undici';
import { CUSTOMIZATION_PATH, type DashScopeEmulator } from './dashscope/server.ts';

/** A parsed response. */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
  json: Record<string, any>;
  ms: number;
}

export interface PostOptions {
  path?: string;
  /** The whole `Authorization` header; `null` sends none. Default `Bearer <emulator key>`. */
  auth?: string | null;
  /** Sent as is instead of `JSON.stringify(body)`. */
  raw?: string;
  signal?: AbortSignal;
  method?: 'POST' | 'GET';
}

/** POSTs `body` to the customization endpoint (or `options.path`) on a fresh connection. */
export async function post(emu: DashScopeEmulator, body: unknown, options: PostOptions = {}): Promise<Answer> {
  const auth = options.auth === undefined ? `Bearer ${emu.apiKey}` : options.auth;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = auth;
  const started = performance.now();
  const method = options.method ?? 'POST';
  const res = await request(`${emu.baseUrl}${options.path ?? CUSTOMIZATION_PATH}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : (options.raw ?? JSON.stringify(body)),
    signal: options.signal,
    reset: true,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text === '' ? {} : JSON.parse(text), ms: performance.now() - started };
}

/** A valid `create` body; `input` and `parameters` entries override the defaults (`undefined` removes one). */
export function createBody(input: Record<string, unknown> = {}, parameters: Record<string, unknown> = {}): unknown {
  return {
    model: 'qwen-voice-design',
    input: dropUndefined({
      action: 'create',
      target_model: 'qwen3-tts-vd-realtime-2026-01-15',
      voice_prompt: 'A calm, low narrator voice with a slight rasp.',
      preview_text: 'Once upon a time, in a quiet village.',
      preferred_name: 'narrator',
      language: 'en',
      ...input,
    }),
    parameters: dropUndefined({ sample_rate: 24000, response_format: 'wav', ...parameters }),
  };
}

/** A body for `list`, `query` or `delete`. */
export function actionBody(action: string, input: Record<string, unknown> = {}): unknown {
  return { model: 'qwen-voice-design', input: { action, ...input } };
}

/** Creates a voice and returns its id; fails the test on a non-200. */
export async function createVoice(emu: DashScopeEmulator, input: Record<string, unknown> = {}): Promise<string> {
  const answer = await post(emu, createBody(input));
  if (answer.status !== 200) throw new Error(`create failed: ${answer.status} ${JSON.stringify(answer.json)}`);
  return answer.json.output.voice as string;
}

function dropUndefined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** The fields of a 44-byte RIFF/WAVE header. */
export function parseWavHeader(wav: Buffer): Record<string, string | number> {
  return {
    riff: wav.toString('ascii', 0, 4),
    riffSize: wav.readUInt32LE(4),
    wave: wav.toString('ascii', 8, 12),
    fmt: wav.toString('ascii', 12, 16),
    fmtSize: wav.readUInt32LE(16),
    audioFormat: wav.readUInt16LE(20),
    channels: wav.readUInt16LE(22),
    sampleRate: wav.readUInt32LE(24),
    byteRate: wav.readUInt32LE(28),
    blockAlign: wav.readUInt16LE(32),
    bitsPerSample: wav.readUInt16LE(34),
    data: wav.toString('ascii', 36, 40),
    dataSize: wav.readUInt32LE(40),
  };
}
