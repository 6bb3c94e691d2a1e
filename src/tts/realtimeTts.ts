/**
 * Speech over DashScope's realtime WebSocket (spec §1) in commit mode, on sessions kept warm per voice.
 * @remarks The text goes out a piece (a sentence or two) at a time, one response per piece, and the next
 * piece only when the reader has taken all the audio of the last: a reader that keeps a few seconds ahead
 * of playback (see `prefetch`) thus keeps the spend a few seconds ahead too, and /skip or /stop ends it.
 */
import type { AccountLimiter } from '../dashscope/accountLimiter.ts';
import { billableChars } from '../dashscope/billing.ts';
import { closedError } from '../dashscope/classify.ts';
import type { SpeechTuning } from '../dashscope/realtime/protocol.ts';
import type { RealtimeResponse } from '../dashscope/realtime/response.ts';
import type { RealtimeSession, SessionTarget } from '../dashscope/realtime/session.ts';
import { DEFAULT_TTS_TIMEOUTS, type TtsTimeouts } from '../dashscope/timeouts.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';
import { openAdmitted } from './admittedSession.ts';
import {
  languageTypeOf,
  PIECE_MAX_CHARS,
  type Synthesis,
  type TtsEngine,
  type TtsRequest,
  type UtteranceMetrics,
} from './engine.ts';
import { chunkText } from './sentences.ts';
import { SessionPool } from './sessionPool.ts';
import { createSynthesis, elapsedMs, failedSynthesis, spanMs } from './synthesis.ts';

export { PIECE_MAX_CHARS } from './engine.ts';
/**
 * How long an idle session stays open for the next utterance in its voice, ms, counted from the end of playback.
 * @remarks Long enough to carry a chat with pauses of half a minute on one session (`TTS_SESSION_IDLE_SECONDS`).
 */
export const DEFAULT_WARM_IDLE_MS = 60_000;

/** Options for {@link RealtimeTts}. */
export interface RealtimeTtsOptions {
  apiKey: string;
  /** `DASHSCOPE_REALTIME_URL`, e.g. `wss://dashscope-intl.aliyuncs.com/api-ws/v1/realtime` (the model is added). */
  realtimeUrl: string;
  timeouts?: Partial<TtsTimeouts>;
  warmIdleMs?: number;
  /** Longest piece of text per response (default {@link PIECE_MAX_CHARS}); benchmarks compare with whole texts. */
  pieceMaxChars?: number;
  /** DashScope's account-wide session budget, awaited before every new session; none: sessions open at once. */
  limiter?: AccountLimiter | undefined;
}

/** Sessions opened versus utterances spoken, and how the sessions ended. */
export interface RealtimeTtsStats {
  sessionsOpened: number;
  /** Sessions currently open. */
  sessionsOpen: number;
  sessionsFinished: number;
  sessionsDiscarded: number;
  prewarmed: number;
  /** Utterances started (non-empty text). */
  utterances: number;
  /** Utterances that ran on an already open, ready session. */
  warmUtterances: number;
  /** Utterances re-sent on a new session because their warm session had died unnoticed. */
  retries: number;
}

/** The session one utterance holds, so abort and cleanup can reach it, and the audio it carried. */
interface Lease {
  session: RealtimeSession | undefined;
  audioBytes: number;
}

/** Bytes of 24 kHz mono s16le per ms. */
const PCM_BYTES_PER_MS = 48;

/** A response under way and its first chunk. */
interface Started {
  response: RealtimeResponse;
  first: Buffer | undefined;
}

/**
 * The realtime engine: text → commit-mode response → 24 kHz PCM, reusing a warm session per voice.
 * @remarks A session that failed, timed out or was aborted is closed at once and never reused.
 */
export class RealtimeTts implements TtsEngine {
  readonly #apiKey: string;
  readonly #realtimeUrl: string;
  readonly #pool: SessionPool;
  readonly #pieceMaxChars: number;
  readonly #limiter: AccountLimiter | undefined;
  readonly #counts = { utterances: 0, warmUtterances: 0, retries: 0 };
  #closed = false;

  constructor(options: RealtimeTtsOptions) {
    this.#apiKey = options.apiKey;
    this.#realtimeUrl = new URL(options.realtimeUrl).href;
    if (!/^wss?:$/u.test(new URL(this.#realtimeUrl).protocol))
      throw new TypeError('realtimeUrl must be a ws: or wss: URL');
    const timeouts = { ...DEFAULT_TTS_TIMEOUTS, ...options.timeouts };
    this.#pool = new SessionPool(timeouts, options.warmIdleMs ?? DEFAULT_WARM_IDLE_MS);
    this.#pieceMaxChars = options.pieceMaxChars ?? PIECE_MAX_CHARS;
    this.#limiter = options.limiter;
  }

  get stats(): RealtimeTtsStats {
    return { ...this.#pool.counters, sessionsOpen: this.#pool.openCount, ...this.#counts };
  }

  synthesize(req: TtsRequest, signal: AbortSignal): Synthesis {
    if (this.#closed) return failedSynthesis(closedError('the TTS engine is closed'));
    return createSynthesis((metrics) => this.#run(req, signal, metrics));
  }

  /** @remarks With a limiter, only when the budget has a point to spare at once (a refused one is given back). */
  prewarm(voice: CharacterVoice, tuning?: SpeechTuning): void {
    if (this.#closed) return;
    const limiter = this.#limiter;
    if (limiter === undefined) return void this.#pool.prewarm(this.#targetOf({ voice, tuning }));
    const spare = async (): Promise<void> => {
      const admitted = await limiter.tryAdmit();
      if (admitted && (this.#closed || !this.#pool.prewarm(this.#targetOf({ voice, tuning }))))
        await limiter.budget.refund();
    };
    void spare().catch(() => {});
  }

  played(voice: CharacterVoice, tuning?: SpeechTuning): void {
    if (!this.#closed) this.#pool.touch(this.#targetOf({ voice, tuning }));
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#pool.closeAll();
  }

  async *#run(req: TtsRequest, signal: AbortSignal, metrics: UtteranceMetrics): AsyncGenerator<Buffer> {
    const started = performance.now();
    signal.throwIfAborted();
    const [head, ...rest] = chunkText(req.text.trim(), this.#pieceMaxChars);
    if (head === undefined) return;
    this.#counts.utterances += 1;
    const lease: Lease = { session: undefined, audioBytes: 0 };
    const onAbort = (): void => lease.session?.destroy(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      metrics.sentCharacters += billableChars(head.trim());
      const { response, first } = await this.#begin(req, head, metrics, lease, signal);
      yield* this.#audioOf(response, first, signal, metrics, lease);
      for (const piece of rest) {
        metrics.sentCharacters += billableChars(piece.trim());
        const next = (lease.session as RealtimeSession).speak([piece]);
        yield* this.#audioOf(next, await next.chunks.next(), signal, metrics, lease);
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      metrics.totalMs = elapsedMs(started);
      this.#settle(lease, signal);
    }
  }

  /** Yields a response's audio from its first chunk on, then adds its billed characters. */
  async *#audioOf(
    response: RealtimeResponse,
    first: Buffer | undefined,
    signal: AbortSignal,
    metrics: UtteranceMetrics,
    lease: Lease,
  ): AsyncGenerator<Buffer> {
    for (let chunk = first; chunk !== undefined; chunk = await response.chunks.next()) {
      lease.audioBytes += chunk.length;
      yield chunk;
      signal.throwIfAborted();
    }
    metrics.characters += response.characters;
  }

  /**
   * Speaks the first piece on a session and waits for its first chunk.
   * @remarks A warm session can die between two utterances (server idle close). When it fails with
   * ConnectionClosed before the server acknowledged anything, the text is re-sent once on a new session.
   */
  async #begin(
    req: TtsRequest,
    text: string,
    metrics: UtteranceMetrics,
    lease: Lease,
    signal: AbortSignal,
  ): Promise<Started> {
    for (let attempt = 0; ; attempt += 1) {
      const session = await this.#acquire(req, metrics, lease, signal);
      const response = session.speak([text]);
      try {
        const first = await response.chunks.next();
        if (response.firstAudioAt !== undefined) metrics.firstAudioMs = spanMs(response.sentAt, response.firstAudioAt);
        return { response, first };
      } catch (error) {
        const retryable = attempt === 0 && metrics.warm && !response.acknowledged && isConnectionClosed(error);
        if (!retryable) throw error;
        this.#counts.retries += 1;
      }
    }
  }

  /**
   * A ready session for the request's voice and settings: idle (warm), prewarmed and still connecting, the one the
   * utterance before in this voice holds (once it is done with it), or new.
   */
  async #acquire(
    req: TtsRequest,
    metrics: UtteranceMetrics,
    lease: Lease,
    signal: AbortSignal,
  ): Promise<RealtimeSession> {
    if (this.#closed) throw closedError('the TTS engine is closed');
    const target = this.#targetOf(req);
    let taken = this.#pool.take(target);
    if (taken === undefined && this.#pool.held(target)) {
      taken = await this.#pool.next(target, signal);
      if (this.#closed) throw closedError('the TTS engine is closed');
    }
    lease.session = taken;
    metrics.warm = taken?.state === 'ready';
    if (taken !== undefined && metrics.warm) {
      this.#counts.warmUtterances += 1;
      metrics.connectMs = 0;
      return taken;
    }
    const started = performance.now();
    let session = taken;
    if (session !== undefined) await session.ready;
    else {
      const hold = (opened: RealtimeSession): void => {
        lease.session = opened;
      };
      // A pre-warm (typing, the next queued line) may have parked a session for this key while we waited for
      // the budget: that one is taken and the point just admitted is given back, so one key opens one session.
      const open = (): RealtimeSession => {
        const parked = this.#pool.take(target);
        if (parked === undefined) return this.#pool.open(target);
        void this.#limiter?.budget.refund().catch(() => {});
        return parked;
      };
      const opened = this.#pool.opening(target);
      const admitted = await openAdmitted(open, this.#limiter, req.priority ?? 'narration', signal, hold).finally(
        opened,
      );
      metrics.limiterWaitMs += admitted.waitedMs;
      session = admitted.session;
    }
    metrics.connectMs = elapsedMs(started);
    return session;
  }

  /**
   * After an utterance: a session that finished its response goes back to the pool; any other is closed.
   * @remarks Its audio may still be playing (it arrives faster than real time), so the idle window is extended by
   * the audio's length; the player's `played` restarts the window when playback really ends.
   */
  #settle({ session, audioBytes }: Lease, signal: AbortSignal): void {
    if (session === undefined) return;
    if (!signal.aborted && session.state === 'ready') this.#pool.release(session, audioBytes / PCM_BYTES_PER_MS);
    else session.destroy(closedError('the utterance was stopped'));
  }

  #targetOf({ voice, tuning }: Pick<TtsRequest, 'voice' | 'tuning'>): SessionTarget {
    return {
      realtimeUrl: this.#realtimeUrl,
      apiKey: this.#apiKey,
      model: voice.targetModel,
      voiceId: voice.voiceId,
      languageType: languageTypeOf(voice),
      tuning: tuning ?? voice.tuning,
    };
  }
}

function isConnectionClosed(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ConnectionClosed';
}
