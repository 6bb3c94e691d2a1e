/**
 * The bot's Prometheus metrics that events feed: utterances and their latencies, billed characters,
 * DashScope and store errors, the account-wide limiter's waits and refusals.
 * @remarks The only importer of prom-client with `collectors.ts`. One registry per bot (no global registry),
 * so two bots in one process (tests, benches) never share counts.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import type { Utterance } from '../playback/utterance.ts';
import type { VoiceTiming } from '../playback/voiceThreadProtocol.ts';
import type { UtteranceMetrics } from '../tts/engine.ts';
import { dashscopeCodeLabel, dashscopeErrorOf } from './labels.ts';

/** What the account-wide limiter waits for: a new realtime session, or a voice-design call. */
export type LimitedCall = 'session' | 'design';

/** What the account-wide DashScope limiter reports; {@link BotMetrics.limiter} is one. */
export interface LimiterObserver {
  /** A caller waited `ms` for the account's budget (0 when it went through at once) and then went ahead. */
  waited(kind: LimitedCall, ms: number): void;
  /** A caller was refused: the wait would have been longer than allowed. */
  refused(kind: LimitedCall): void;
  /** DashScope answered a call with 429 (throttling) although the limiter let it through. */
  throttled(kind: LimitedCall): void;
}

/** How an utterance ended: spoken to its end, failed (reported to the channel), or stopped/dropped. */
export type UtteranceOutcome = 'spoken' | 'failed' | 'cancelled';

/** Which DashScope API a failure came from: speech, or the voice-design API behind `/voice`. */
export type DashScopeCall = 'speech' | 'voices';

const LATENCY_BUCKETS_S = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20];
/** A voice thread's loop delay: its 20 ms cycle, the 40 ms at which a frame counts as late, and worse. */
export const LOOP_DELAY_BUCKETS_S = [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56];

export class BotMetrics {
  readonly registry = new Registry();
  readonly limiter: LimiterObserver;
  readonly #utterances: Counter<'source' | 'outcome'>;
  readonly #firstAudio: Histogram<'session'>;
  readonly #firstPacket: Histogram<'source'>;
  readonly #billedChars: Counter<'source'>;
  readonly #dashscopeErrors: Counter<'call' | 'code'>;
  readonly #sessionsRefused: Counter<'by'>;
  readonly #storeErrors: Counter;
  readonly #voiceLoopDelay: Histogram;
  readonly #voiceFrames: Counter<'timing'>;
  readonly #voiceEconomyFrames: Counter;
  /** How each utterance that has been spoken or has failed went, until its end is counted. */
  readonly #outcomes = new Map<string, UtteranceOutcome>();

  /** @param shard this process's shard ids (`0+1`), or `all` when the bot is not sharded: every series carries it. */
  constructor(shard: string) {
    this.registry.setDefaultLabels({ shard });
    const registers = [this.registry];
    this.#utterances = new Counter({
      name: 'voicebot_utterances_total',
      help: 'Utterances that ended, by source (say, narration) and outcome (spoken, failed, cancelled).',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.#firstAudio = new Histogram({
      name: 'voicebot_tts_first_audio_seconds',
      help: "From sending an utterance's text to DashScope's first audio, by session (warm, cold).",
      labelNames: ['session'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.#firstPacket = new Histogram({
      name: 'voicebot_request_first_packet_seconds',
      help: 'From a /say reaching the bot to its first Opus packet going to voice.',
      labelNames: ['source'],
      buckets: LATENCY_BUCKETS_S,
      registers,
    });
    this.#billedChars = new Counter({
      name: 'voicebot_speech_characters_billed_total',
      help: 'Billable characters of speech this process settled with the spend ledger, by source.',
      labelNames: ['source'],
      registers,
    });
    this.#dashscopeErrors = new Counter({
      name: 'voicebot_dashscope_errors_total',
      help: 'DashScope failures that reached a member, by API (speech, voices) and DashScope code.',
      labelNames: ['call', 'code'],
      registers,
    });
    this.#sessionsRefused = new Counter({
      name: 'voicebot_tts_sessions_refused_total',
      help: 'New realtime sessions refused: by the account-wide limiter (wait too long), or by DashScope (429).',
      labelNames: ['by'],
      registers,
    });
    this.#storeErrors = new Counter({
      name: 'voicebot_store_errors_total',
      help: 'Errors the store (keyv: SQLite or Redis) reported.',
      registers,
    });
    this.#voiceLoopDelay = new Histogram({
      name: 'voicebot_voice_thread_loop_delay_seconds',
      help: "Each voice thread's longest event-loop delay in each second: above 0.04 s its audio went out late.",
      buckets: LOOP_DELAY_BUCKETS_S,
      registers,
    });
    this.#voiceFrames = new Counter({
      name: 'voicebot_voice_frames_total',
      help: "Opus frames the voice threads sent, by timing: late = over 40 ms behind their stream's 20 ms schedule.",
      labelNames: ['timing'],
      registers,
    });
    for (const timing of ['on_time', 'late']) this.#voiceFrames.inc({ timing }, 0);
    this.#voiceEconomyFrames = new Counter({
      name: 'voicebot_voice_economy_frames_total',
      help: 'Opus frames the voice threads sent at reduced complexity, being short of CPU (OPUS_COMPLEXITY=auto).',
      registers,
    });
    this.limiter = limiterMetrics(registers, this.#sessionsRefused);
  }

  /** How a voice thread kept time over the last second. */
  voiceTiming(timing: VoiceTiming): void {
    this.#voiceLoopDelay.observe(timing.loopDelayMaxMs / 1000);
    this.#voiceFrames.inc({ timing: 'on_time' }, timing.frames - timing.lateFrames);
    this.#voiceFrames.inc({ timing: 'late' }, timing.lateFrames);
    this.#voiceEconomyFrames.inc(timing.economyFrames);
  }

  /** The limiter observer for one kind of call, in the shape the account-wide limiter reports to. */
  limiterFor(kind: LimitedCall): { waited(_priority: string, ms: number): void; refused(): void; throttled(): void } {
    return {
      waited: (_priority, ms) => this.limiter.waited(kind, ms),
      refused: () => this.limiter.refused(kind),
      throttled: () => this.limiter.throttled(kind),
    };
  }

  /** An utterance was spoken to its end. */
  spoken(utterance: Utterance): void {
    this.#outcomes.set(utterance.id, 'spoken');
  }

  /** An utterance failed (the channel is told). */
  failed(utterance: Utterance, error: unknown): void {
    this.#outcomes.set(utterance.id, 'failed');
    this.dashscopeFailed('speech', error);
  }

  /** An utterance ended, however it ended: counts it, its time to first audio and the characters it billed. */
  ended(utterance: Utterance, metrics: UtteranceMetrics | undefined): void {
    const outcome = this.#outcomes.get(utterance.id) ?? 'cancelled';
    this.#outcomes.delete(utterance.id);
    this.#utterances.inc({ source: utterance.source, outcome });
    if (metrics === undefined) return;
    if (metrics.firstAudioMs !== undefined)
      this.#firstAudio.observe({ session: metrics.warm ? 'warm' : 'cold' }, metrics.firstAudioMs / 1000);
    const billed = Math.max(metrics.characters, metrics.sentCharacters);
    if (billed > 0) this.#billedChars.inc({ source: utterance.source }, billed);
  }

  /** The first Opus packet of `utterance` went to voice; timed from `receivedAt` when the request carried it. */
  firstPacket(utterance: Utterance | undefined, now = Date.now()): void {
    if (utterance?.receivedAt === undefined) return;
    this.#firstPacket.observe({ source: utterance.source }, Math.max(0, now - utterance.receivedAt) / 1000);
  }

  /** Counts `error` when it is (or wraps) a DashScope failure. */
  dashscopeFailed(call: DashScopeCall, error: unknown): void {
    const failure = dashscopeErrorOf(error);
    if (failure !== undefined) this.#dashscopeErrors.inc({ call, code: dashscopeCodeLabel(failure.code) });
  }

  /** The store emitted an `error` event. */
  storeError(): void {
    this.#storeErrors.inc();
  }
}

/** The limiter's metrics: waits (count and duration) and refusals, by what waited. */
function limiterMetrics(registers: Registry[], sessionsRefused: Counter<'by'>): LimiterObserver {
  const waits = new Histogram({
    name: 'voicebot_limiter_wait_seconds',
    help: 'How long calls waited for the account-wide DashScope budget before going ahead, by kind (session, design).',
    labelNames: ['kind'],
    buckets: [0, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
    registers,
  });
  const refusals = new Counter({
    name: 'voicebot_limiter_refusals_total',
    help: 'Calls refused by the account-wide DashScope limiter (the wait would have been too long), by kind.',
    labelNames: ['kind'],
    registers,
  });
  const throttled = new Counter({
    name: 'voicebot_dashscope_throttled_total',
    help: 'Calls DashScope answered with 429 although the limiter let them through, by kind (session, design).',
    labelNames: ['kind'],
    registers,
  });
  return {
    waited: (kind, ms) => waits.observe({ kind }, Math.max(0, ms) / 1000),
    refused: (kind) => {
      refusals.inc({ kind });
      if (kind === 'session') sessionsRefused.inc({ by: 'limiter' });
    },
    throttled: (kind) => {
      throttled.inc({ kind });
      if (kind === 'session') sessionsRefused.inc({ by: 'dashscope' });
    },
  };
}
