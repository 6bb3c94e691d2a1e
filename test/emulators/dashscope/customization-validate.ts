/**
 * Validation of voice-design (`qwen-voice-design`) requests, with the service's error shapes.
 * @remarks Codes follow spec §4; the wording of the per-field messages is INFERRED except the
 * `preview_text` minimum ("should not be shorter than N characters", 3P-OBS) and "Model not exist.".
 */
import { errorReply, type JsonReply } from './http-io.ts';
import type { PreviewFormat } from './preview.ts';

export const DESIGN_MODEL = 'qwen-voice-design';
export const TARGET_MODELS: readonly string[] = [
  'qwen3-tts-vd-realtime-2026-01-15',
  'qwen3-tts-vd-realtime-2025-12-16',
  'qwen3-tts-vd-2026-01-26',
];
export const LANGUAGES: readonly string[] = ['zh', 'en', 'de', 'it', 'pt', 'es', 'ja', 'ko', 'fr', 'ru'];
export const SAMPLE_RATES: readonly number[] = [8000, 16000, 24000, 48000];
export const RESPONSE_FORMATS: readonly PreviewFormat[] = ['wav', 'pcm', 'mp3', 'opus'];
export const ACTIONS = ['create', 'list', 'query', 'delete'] as const;
export type Action = (typeof ACTIONS)[number];

const VOICE_PROMPT_MAX_CHARS = 2048;
const PREVIEW_TEXT_MAX_CHARS = 1024;
const PAGE_INDEX_MAX = 200;
const PREFERRED_NAME = /^[A-Za-z0-9_]{1,16}$/;

/** A checked value or the 400 reply that rejects it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reply: JsonReply };

/** A validated `create`. */
export interface CreateRequest {
  targetModel: string;
  voicePrompt: string;
  previewText: string;
  preferredName: string;
  language: string;
  sampleRate: number;
  responseFormat: PreviewFormat;
}

type Fields = Record<string, unknown>;

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const invalid = (message: string): { ok: false; reply: JsonReply } => ({
  ok: false,
  reply: errorReply(400, 'InvalidParameter', message),
});

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const charCount = (text: string): number => [...text].length;

/** Checks `model` and `input.action`; returns the action and the `input` and `parameters` objects. */
export function checkEnvelope(body: unknown): Checked<{ action: Action; input: Fields; parameters: Fields }> {
  if (!isObject(body)) return invalid('Request body must be a JSON object.');
  if (body.model === undefined || body.model === '') {
    return {
      ok: false,
      reply: errorReply(400, 'BadRequest.EmptyModel', "Required parameter 'model' missing from request."),
    };
  }
  if (body.model !== DESIGN_MODEL) return invalid('Model not exist.');
  if (!isObject(body.input)) {
    return {
      ok: false,
      reply: errorReply(400, 'BadRequest.EmptyInput', 'Required input parameter missing from request.'),
    };
  }
  const parameters = body.parameters ?? {};
  if (!isObject(parameters)) return invalid('parameters must be an object.');
  const action = body.input.action;
  if (action === undefined) return invalid('Missing required parameter: input.action');
  if (!ACTIONS.includes(action as Action)) return invalid(`Unsupported action: ${String(action)}`);
  return ok({ action: action as Action, input: body.input, parameters });
}

function requiredText(input: Fields, key: string, maxChars: number): Checked<string> {
  const value = input[key];
  if (value === undefined || value === null || value === '') return invalid(`Missing required parameter: input.${key}`);
  if (typeof value !== 'string') return invalid(`input.${key} must be a string.`);
  if (charCount(value) > maxChars) return invalid(`input.${key} should not be longer than ${maxChars} characters`);
  return ok(value);
}

function oneOf<T>(value: unknown, allowed: readonly T[], fallback: T, name: string): Checked<T> {
  if (value === undefined) return ok(fallback);
  return allowed.includes(value as T) ? ok(value as T) : invalid(`Unsupported ${name}: ${String(value)}`);
}

function previewText(input: Fields, minChars: number): Checked<string> {
  const text = requiredText(input, 'preview_text', PREVIEW_TEXT_MAX_CHARS);
  if (text.ok && charCount(text.value) < minChars) {
    return invalid(`preview_text should not be shorter than ${minChars} characters`);
  }
  return text;
}

function preferredName(input: Fields): Checked<string> {
  const name = input.preferred_name;
  if (name === undefined || name === '') return invalid('Missing required parameter: input.preferred_name');
  if (typeof name !== 'string' || !PREFERRED_NAME.test(name)) {
    return invalid('preferred_name may only contain letters, digits and underscores, at most 16 characters.');
  }
  return ok(name);
}

/** Validates a `create` request's `input` and `parameters`, first failure wins. */
export function checkCreate(input: Fields, parameters: Fields, previewTextMinChars: number): Checked<CreateRequest> {
  const target = input.target_model;
  if (target === undefined || target === '') return invalid('Missing required parameter: input.target_model');
  if (typeof target !== 'string' || !TARGET_MODELS.includes(target)) {
    return invalid(`Unsupported target_model: ${String(target)}`);
  }
  const voicePrompt = requiredText(input, 'voice_prompt', VOICE_PROMPT_MAX_CHARS);
  if (!voicePrompt.ok) return voicePrompt;
  const text = previewText(input, previewTextMinChars);
  if (!text.ok) return text;
  const name = preferredName(input);
  if (!name.ok) return name;
  const language = oneOf(input.language, LANGUAGES, 'zh', 'language');
  if (!language.ok) return language;
  const sampleRate = oneOf(parameters.sample_rate, SAMPLE_RATES, 24_000, 'sample_rate');
  if (!sampleRate.ok) return sampleRate;
  const format = oneOf(parameters.response_format, RESPONSE_FORMATS, 'wav', 'response_format');
  if (!format.ok) return format;
  return ok({
    targetModel: target,
    voicePrompt: voicePrompt.value,
    previewText: text.value,
    preferredName: name.value,
    language: language.value,
    sampleRate: sampleRate.value,
    responseFormat: format.value,
  });
}

function integerIn(value: unknown, min: number, max: number, fallback: number, name: string): Checked<number> {
  if (value === undefined) return ok(fallback);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return invalid(`${name} should be an integer in [${min}, ${max}]`);
  }
  return ok(value);
}

/** Validates a `list` request's paging. */
export function checkList(input: Fields, pageSizeMax: number): Checked<{ pageIndex: number; pageSize: number }> {
  const pageIndex = integerIn(input.page_index, 0, PAGE_INDEX_MAX, 0, 'page_index');
  if (!pageIndex.ok) return pageIndex;
  const pageSize = integerIn(input.page_size, 1, pageSizeMax, 10, 'page_size');
  if (!pageSize.ok) return pageSize;
  return ok({ pageIndex: pageIndex.value, pageSize: pageSize.value });
}

/** Validates the `voice` of a `query` or `delete`. */
export function checkVoiceName(input: Fields): Checked<string> {
  const voice = input.voice;
  if (voice === undefined || voice === '') return invalid('Missing required parameter: input.voice');
  if (typeof voice !== 'string') return invalid('input.voice must be a string.');
  return ok(voice);
}
