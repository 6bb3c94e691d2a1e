/**
 * The bot's TTS engine: routes each utterance by the voice's target model to the realtime or the HTTP engine.
 * @remarks A designed voice is bound to its target model, and synthesis must use that same model (spec §1.2, §3).
 */

import type { AccountLimiter } from '../dashscope/accountLimiter.ts';
import { HTTP_TTS_MODELS } from '../dashscope/models.ts';
import type { SpeechTuning } from '../dashscope/realtime/protocol.ts';
import type { TtsTimeouts } from '../dashscope/timeouts.ts';
import type { HttpDispatcher } from '../dashscope/transport.ts';
import { UserError } from '../errors.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import type { Synthesis, TtsEngine, TtsRequest } from './engine.ts';
import { HttpTts } from './httpTts.ts';
import { RealtimeTts } from './realtimeTts.ts';
import { failedSynthesis } from './synthesis.ts';

/** Options for {@link createTtsEngine}. */
export interface TtsEngineOptions {
  apiKey: string;
  /** `DASHSCOPE_BASE_URL` (HTTP API). */
  baseUrl: string;
  /** `DASHSCOPE_REALTIME_URL` (realtime WebSocket). */
  realtimeUrl: string;
  timeouts?: Partial<TtsTimeouts>;
  /** How long an idle realtime session stays open for the next utterance, ms. */
  warmIdleMs?: number;
  dispatcher?: HttpDispatcher | undefined;
  /** DashScope's account-wide session budget, awaited before every new realtime session. */
  limiter?: AccountLimiter | undefined;
}

/** The routing engine, with its two engines exposed for their counters. */
export interface RoutingTtsEngine extends TtsEngine {
  readonly realtime: RealtimeTts;
  readonly http: HttpTts;
  prewarm(voice: CharacterVoice, tuning?: SpeechTuning): void;
  played(voice: CharacterVoice, tuning?: SpeechTuning): void;
}

/** Which engine speaks with `model`, or undefined when none does. */
export function engineKindFor(model: string): 'realtime' | 'http' | undefined {
  if (model.includes('-realtime')) return 'realtime';
  return HTTP_TTS_MODELS.includes(model) ? 'http' : undefined;
}

/** Builds the realtime and HTTP engines and routes each request by `voice.targetModel`. */
export function createTtsEngine(options: TtsEngineOptions): RoutingTtsEngine {
  const realtime = new RealtimeTts(options);
  const http = new HttpTts(options);
  const pick = (voice: CharacterVoice): TtsEngine | UserError => {
    const kind = engineKindFor(voice.targetModel);
    if (kind === 'realtime') return realtime;
    if (kind === 'http') return http;
    return new UserError(
      'invalid_input',
      `The voice “${voice.name}” is bound to the model ${voice.targetModel}, which this bot cannot speak with.`,
    );
  };
  return {
    realtime,
    http,
    synthesize(req: TtsRequest, signal: AbortSignal): Synthesis {
      const engine = pick(req.voice);
      return engine instanceof UserError ? failedSynthesis(engine) : engine.synthesize(req, signal);
    },
    prewarm(voice: CharacterVoice, tuning?: SpeechTuning): void {
      const engine = pick(voice);
      if (!(engine instanceof UserError)) engine.prewarm?.(voice, tuning);
    },
    played(voice: CharacterVoice, tuning?: SpeechTuning): void {
      const engine = pick(voice);
      if (!(engine instanceof UserError)) engine.played?.(voice, tuning);
    },
    async close(): Promise<void> {
      await Promise.all([realtime.close(), http.close()]);
    },
  };
}
