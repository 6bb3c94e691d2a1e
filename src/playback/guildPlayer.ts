import { BYTES_PER_SAMPLE, TTS_SAMPLE_RATE_HZ } from '../audio/formats.ts';
import { UserError } from '../errors.ts';
import type { TtsEngine, UtteranceMetrics } from '../tts/engine.ts';
import { type Prefetched, prefetch } from './prefetch.ts';
import type { Utterance } from './utterance.ts';
import type { VoiceSink } from './voiceSink.ts';

/**
 * Audio received ahead of playback, ms: one utterance buffers at most this much PCM before the engine is paused.
 * @remarks Enough to ride out DashScope's first-audio delay between two pieces of text, small enough that
 * /skip or /stop wastes little (the engine sends the next piece only when this buffer asks for more). It is kept
 * as PCM (48 KB/s): the sink encodes Opus only a few frames ahead of the voice connection (see `VoiceThreads`), so
 * CPU follows playback rather than delivery.
 */
export const PREFETCH_AHEAD_MS = 5_000;
const PREFETCH_PCM_BYTES = (PREFETCH_AHEAD_MS * TTS_SAMPLE_RATE_HZ * BYTES_PER_SAMPLE) / 1000;

export interface GuildPlayerOptions {
  engine: TtsEngine;
  sink: VoiceSink;
  maxQueue: number;
  /** The queue ran dry: nothing is being said or waiting. The presence owner times its idle leave from here. */
  onIdle(): void;
  /** An utterance failed; called once per failed utterance, which is then skipped. */
  onError(utterance: Utterance, error: unknown): void;
  onSpoken?(utterance: Utterance, metrics: UtteranceMetrics): void;
  /** Once per utterance however it ended (spoken, failed, skipped, dropped); `undefined`: never synthesized. */
  onEnded?(utterance: Utterance, metrics: UtteranceMetrics | undefined): void;
}

interface Item {
  utterance: Utterance;
  controller: AbortController;
  audio?: { pcm: Prefetched<Buffer>; metrics: UtteranceMetrics };
}

/** What a player is doing: nothing, speaking one item (others may wait), or gone for good. */
export type PlayerState = { status: 'idle' } | { status: 'speaking'; current: Item } | { status: 'destroyed' };

/**
 * One guild's speech: a bounded FIFO of utterances and one drain loop that streams each through the
 * engine into the voice sink.
 * @remarks While one utterance plays, the next one is already being synthesized (its voice pre-warmed first).
 */
export class GuildPlayer {
  readonly #options: GuildPlayerOptions;
  readonly #queue: Item[] = [];
  #state: PlayerState = { status: 'idle' };

  constructor(options: GuildPlayerOptions) {
    this.#options = options;
  }

  get status(): PlayerState['status'] {
    return this.#state.status;
  }

  /** The utterance being spoken and those waiting, in order. */
  get pending(): readonly Utterance[] {
    const current = this.#state.status === 'speaking' ? [this.#state.current.utterance] : [];
    return [...current, ...this.#queue.map((i) => i.utterance)];
  }

  /**
   * Queues an utterance; returns how many are ahead of it.
   * @throws UserError `quota_full` when the queue is full.
   */
  enqueue(utterance: Utterance): number {
    if (this.#state.status === 'destroyed') throw new UserError('conflict', 'The bot has left the voice channel.');
    if (this.#queue.length >= this.#options.maxQueue)
      throw new UserError(
        'quota_full',
        `The queue is full (${this.#options.maxQueue} waiting). Try again when it has moved on, or /skip.`,
      );
    this.#queue.push({ utterance, controller: new AbortController() });
    const ahead = this.pending.length - 1;
    if (this.#state.status === 'speaking') this.#prepareNext(this.#state.current);
    else void this.#drain();
    return ahead;
  }

  /** Stops the current utterance at once; the next one starts. Returns whether something was stopped. */
  skip(): boolean {
    if (this.#state.status !== 'speaking') return false;
    this.#state.current.controller.abort(new Error('skipped'));
    return true;
  }

  /** Clears the queue and stops the current utterance. Returns how many utterances were dropped. */
  stop(): number {
    const dropped = this.#queue.splice(0);
    for (const item of dropped) this.#cancel(item);
    return dropped.length + (this.skip() ? 1 : 0);
  }

  /** Drops waiting utterances that match; the one being spoken is not touched. Returns how many. */
  drop(match: (u: Utterance) => boolean): number {
    const dropped = this.#queue.filter((i) => match(i.utterance));
    this.#queue.splice(0, this.#queue.length, ...this.#queue.filter((i) => !match(i.utterance)));
    for (const item of dropped) this.#cancel(item);
    return dropped.length;
  }

  /** Stops everything and leaves the voice channel. */
  destroy(): void {
    if (this.#state.status === 'destroyed') return;
    this.stop();
    this.#state = { status: 'destroyed' };
    this.#options.sink.destroy();
  }

  /** Speaks the queue to its end; entered only from `idle`. */
  async #drain(): Promise<void> {
    for (let item = this.#queue.shift(); item; item = this.#queue.shift()) {
      this.#state = { status: 'speaking', current: item };
      const audio = this.#prepare(item);
      this.#prepareNext(item);
      await this.#speak(item, audio);
      if (this.status === 'destroyed') return;
    }
    this.#state = { status: 'idle' };
    this.#options.onIdle();
  }

  async #speak(item: Item, audio: NonNullable<Item['audio']>): Promise<void> {
    const { signal } = item.controller;
    try {
      await this.#options.sink.play(audio.pcm, signal);
      if (!signal.aborted) this.#options.onSpoken?.(item.utterance, audio.metrics);
    } catch (error) {
      if (!signal.aborted && this.#state.status !== 'destroyed') this.#options.onError(item.utterance, error);
    } finally {
      audio.pcm.cancel();
      this.#options.engine.played?.(item.utterance.voice, item.utterance.tuning);
      this.#options.onEnded?.(item.utterance, audio.metrics);
    }
  }

  #prepare(item: Item): NonNullable<Item['audio']> {
    if (item.audio) return item.audio;
    const { signal } = item.controller;
    const { text, voice, tuning, source: priority } = item.utterance;
    const synthesis = this.#options.engine.synthesize({ text, voice, tuning, priority }, signal);
    item.audio = { pcm: prefetch(synthesis, PREFETCH_PCM_BYTES, (chunk) => chunk.length), metrics: synthesis.metrics };
    return item.audio;
  }

  /**
   * Readies the next utterance while `current` plays: pre-warms its voice and starts its synthesis at once, so it
   * plays without a gap when `current` ends, is skipped or fails.
   * @remarks Starting it only once `current`'s audio has all arrived would let one session carry both when they
   * share a voice, but a /skip or a failure then waits for a new handshake (the e2e tests catch that gap); queueing
   * the next response on the busy session is the way to have both (left to do).
   */
  #prepareNext(_current: Item): void {
    const next = this.#queue[0];
    if (next === undefined || next.audio) return;
    this.#options.engine.prewarm?.(next.utterance.voice, next.utterance.tuning);
    this.#prepare(next);
  }

  #cancel(item: Item): void {
    if (!item.controller.signal.aborted) item.controller.abort(new Error('dropped'));
    item.audio?.pcm.cancel();
    this.#options.onEnded?.(item.utterance, item.audio?.metrics);
  }
}
