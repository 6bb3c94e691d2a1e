/**
 * DashScope's models, as this client uses them.
 * @remarks Sources are in ../shared/spec/dashscope.md §1–3.
 */

/** The DashScope model that designs voices. */
export const VOICE_DESIGN_MODEL = 'qwen-voice-design';

/** Target models a designed voice can be bound to; synthesis must use the same model. */
export const TARGET_MODELS = [
  'qwen3-tts-vd-realtime-2026-01-15',
  'qwen3-tts-vd-realtime-2025-12-16',
  'qwen3-tts-vd-2026-01-26',
] as const;
export type TargetModel = (typeof TARGET_MODELS)[number];

/** Default target model for new designs. */
export const DEFAULT_TARGET_MODEL: TargetModel = 'qwen3-tts-vd-realtime-2026-01-15';

/** Non-realtime models, spoken through the HTTP generation endpoint (SSE) instead of the realtime WebSocket. */
export const HTTP_TTS_MODELS: readonly string[] = ['qwen3-tts-vd-2026-01-26'];
