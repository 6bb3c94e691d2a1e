/**
 * Speech over DashScope's non-realtime generation endpoint with SSE streaming (spec §2), for voices
 * bound to a non-realtime model such as `qwen3-tts-vd-2026-01-26`.
 */
import { billableChars } from '../dashscope/billing.ts';
import { closedError } from '../dashscope/classify.ts';
import { type GenerationTarget, streamGeneration } from '../dashscope/generation/stream.ts';
import { GENERATION_MAX_CHARS } from '../dashscope/limits.ts';
import { DEFAULT_TTS_TIMEOUTS, type TtsTimeouts } from '../dashscope/timeouts.ts';
import type { HttpDispatcher } from '../dashscope/transport.ts';
import {
  languageTypeOf,
  PIECE_MAX_CHARS,
  type Synthesis,
  type TtsEngine,
  type TtsRequest,
  type UtteranceMetrics,
} from './engine.ts';
import { chunkText } from './sentences.ts';
import { createSynthesis, elapsedMs, failedSynthesis } from './synthesis.ts';

/** Options for {@link HttpTts}. */
export interface HttpTtsOptions {
  apiKey: string;
  /** `DASHSCOPE_BASE_URL`, e.g. `https://dashscope-intl.aliyuncs.com`, without a path. */
  baseUrl: string;
  timeouts?: Partial<TtsTimeouts>;
  /** An undici dispatcher (pool, proxy agent); the global one when absent. */
  dispatcher?: HttpDispatcher | undefined;
}

/** Requests sent versus utterances spoken. */
export interface HttpTtsStats {
  utterances: number;
  requests: number;
}

/**
 * The HTTP engine: text split at sentence boundaries into ≤ 600-character requests, sent one after
 * another, each streamed as base64 PCM 24 kHz SSE events.
 */
export class HttpTts implements TtsEngine {
  readonly #target: GenerationTarget;
  readonly #closing = new AbortController();
  readonly #counts: HttpTtsStats = { utterances: 0, requests: 0 };

  constructor(options: HttpTtsOptions) {
    const baseUrl = new URL(options.baseUrl).href.replace(/\/+$/u, '');
    this.#target = {
      apiKey: options.apiKey,
      baseUrl,
      timeouts: { ...DEFAULT_TTS_TIMEOUTS, ...options.timeouts },
      dispatcher: options.dispatcher,
    };
  }

  get stats(): HttpTtsStats {
    return { ...this.#counts };
  }

  synthesize(req: TtsRequest, signal: AbortSignal): Synthesis {
    if (this.#closing.signal.aborted) return failedSynthesis(this.#closing.signal.reason);
    const combined = AbortSignal.any([signal, this.#closing.signal]);
    return createSynthesis((metrics) => this.#run(req, combined, metrics));
  }

  /** Stops every request in flight; their iterators throw ConnectionClosed. */
  async close(): Promise<void> {
    if (!this.#closing.signal.aborted) this.#closing.abort(closedError('the TTS engine is closed'));
  }

  async *#run(req: TtsRequest, signal: AbortSignal, metrics: UtteranceMetrics): AsyncGenerator<Buffer> {
    const started = performance.now();
    try {
      signal.throwIfAborted();
      const texts = chunkText(req.text.trim(), Math.min(PIECE_MAX_CHARS, GENERATION_MAX_CHARS))
        .map((text) => text.trim())
        .filter((text) => text !== '');
      if (texts.length > 0) this.#counts.utterances += 1;
      for (const [index, text] of texts.entries()) {
        yield* this.#request(req, text, index === 0, signal, metrics, started);
      }
    } finally {
      metrics.totalMs = elapsedMs(started);
    }
  }

  async *#request(
    req: TtsRequest,
    text: string,
    first: boolean,
    signal: AbortSignal,
    metrics: UtteranceMetrics,
    started: number,
  ): AsyncGenerator<Buffer> {
    const body = {
      model: req.voice.targetModel,
      input: { text, voice: req.voice.voiceId, language_type: languageTypeOf(req.voice) },
    };
    const sentAt = performance.now();
    const before = metrics.characters;
    metrics.sentCharacters += billableChars(text.trim());
    this.#counts.requests += 1;
    const hooks = {
      onHeaders: (): void => {
        if (first) metrics.connectMs = elapsedMs(sentAt);
      },
      onCharacters: (characters: number): void => {
        metrics.characters = before + characters;
      },
    };
    for await (const chunk of streamGeneration(this.#target, body, signal, hooks)) {
      metrics.firstAudioMs ??= elapsedMs(started);
      yield chunk;
    }
  }
}
