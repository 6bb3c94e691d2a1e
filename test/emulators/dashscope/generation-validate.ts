/**
 * Validation of a non-realtime generation body `{model, input:{text, voice, language_type}}` (spec §2).
 * @remarks Only the designed-voice model matters to the bot, so it is the only model served. The
 * length message follows spec §4 ("Range of input length should be [1, xxx]"); the rest is INFERRED.
 */
import { errorReply, type JsonReply } from './http-io.ts';
import { LANGUAGE_TYPES } from './session-config.ts';
import type { EmulatorContext } from './state.ts';
import { VOICE_ERROR_CODES, voiceProblem } from './voice-rule.ts';

/** Models the generation endpoint serves. */
export const GENERATION_MODELS: readonly string[] = ['qwen3-tts-vd-2026-01-26'];

/** Longest accepted `input.text`, in code points. */
export const MAX_TEXT_CHARS = 600;

/** A validated generation request. */
export interface GenerationRequest {
  model: string;
  text: string;
  voice: string;
}

export type CheckedGeneration = { ok: true; value: GenerationRequest } | { ok: false; reply: JsonReply };

const GENERIC = 'Required parameter(s) missing or invalid, please check the request parameters.';

const fail = (code: string, message: string): CheckedGeneration => ({
  ok: false,
  reply: errorReply(400, code, message),
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a generation body against the account's voices; a failure is a 400 with a DashScope body. */
export function checkGeneration(ctx: EmulatorContext, body: unknown): CheckedGeneration {
  if (!isObject(body)) return fail('InvalidParameter', GENERIC);
  const { model, input } = body;
  if (typeof model !== 'string' || model === '') {
    return fail('BadRequest.EmptyModel', "Required parameter 'model' missing from request.");
  }
  if (!GENERATION_MODELS.includes(model)) return fail('InvalidParameter', 'Model not exist.');
  if (!isObject(input)) return fail('BadRequest.EmptyInput', 'Required input parameter missing from request.');
  const { text, voice, language_type: languageType } = input;
  if (typeof text !== 'string') return fail('InvalidParameter', GENERIC);
  const length = [...text].length;
  if (length < 1 || length > MAX_TEXT_CHARS) {
    return fail('InvalidParameter', `Range of input length should be [1, ${MAX_TEXT_CHARS}]`);
  }
  if (typeof voice !== 'string' || voice === '') return fail('InvalidParameter', GENERIC);
  if (languageType !== undefined && !(LANGUAGE_TYPES as readonly unknown[]).includes(languageType)) {
    return fail('InvalidParameter', `Invalid value for language_type: ${JSON.stringify(languageType)}`);
  }
  const problem = voiceProblem(ctx, model, voice);
  if (problem !== null) return fail(VOICE_ERROR_CODES.http, problem);
  return { ok: true, value: { model, text, voice } };
}
