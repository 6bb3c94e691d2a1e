/**
 * The designed-voice rule shared by the realtime socket and the generation endpoint (spec §1.2, §3).
 * @remarks The real error shapes are UNKNOWN (spec §7 item 3). The codes and messages below are INFERRED
 * and kept in this one place so they are easy to change once measured.
 */
import type { EmulatorContext } from './state.ts';

/** Prefix of every designed voice id (`qwen-tts-vd-<name>-voice-<timestamp>-<4 hex>`). */
export const DESIGNED_VOICE_PREFIX = 'qwen-tts-vd-';

/** Codes an unusable voice is reported with. INFERRED. */
export const VOICE_ERROR_CODES = {
  /** `error.code` of the realtime `error` event (the one documented realtime code). */
  realtime: 'invalid_value',
  /** `code` of the HTTP 400 body from the generation endpoint. */
  http: 'InvalidParameter',
} as const;

/** Messages an unusable voice is reported with. INFERRED (the first echoes a message seen on Omni realtime). */
export const VOICE_ERROR_MESSAGES = {
  notFound: (voice: string): string => `Voice '${voice}' is not supported.`,
  wrongModel: (voice: string, voiceModel: string, model: string): string =>
    `Voice '${voice}' is bound to model '${voiceModel}' and cannot be used with model '${model}'.`,
} as const;

/** Whether `model` accepts only designed voices (`qwen3-tts-vd-*`, realtime or not). */
export function isDesignedVoiceModel(model: string): boolean {
  return model.startsWith('qwen3-tts-vd-');
}

/**
 * Why `voice` cannot be spoken with `model`, or null when it can.
 * @remarks A designed-voice model needs a voice that exists in the account and whose target model is this
 * model. Any other model rejects designed voices and accepts every other (system) voice name.
 */
export function voiceProblem(ctx: EmulatorContext, model: string, voice: string): string | null {
  const designed = ctx.voices.get(voice);
  if (isDesignedVoiceModel(model)) {
    if (designed === undefined) return VOICE_ERROR_MESSAGES.notFound(voice);
    if (designed.targetModel !== model) {
      return VOICE_ERROR_MESSAGES.wrongModel(voice, designed.targetModel, model);
    }
    return null;
  }
  if (!voice.startsWith(DESIGNED_VOICE_PREFIX)) return null;
  if (designed === undefined) return VOICE_ERROR_MESSAGES.notFound(voice);
  return VOICE_ERROR_MESSAGES.wrongModel(voice, designed.targetModel, model);
}
