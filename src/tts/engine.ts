/**
 * The text-to-speech engine contract: text in, 24 kHz mono s16le PCM chunks out, as DashScope streams them.
 */
import type { AdmissionPriority } from '../dashscope/accountLimiter.ts';
import { DESIGN_LANGUAGES } from '../dashscope/limits.ts';
import type { SpeechTuning } from '../dashscope/realtime/protocol.ts';
import type { CharacterVoice } from '../voices/characterVoice.ts';

/**
 * Longest piece of text per request or response, in code points: sentences are packed up to it.
 * @remarks About 5–7 s of speech: small enough that stopping wastes little, large enough for natural prosody.
 */
export const PIECE_MAX_CHARS = 100;

/** One utterance to speak. */
export interface TtsRequest {
  text: string;
  voice: CharacterVoice;
  /** Who waits first when DashScope's session budget is spent: `/say` before narration (default narration). */
  priority?: AdmissionPriority;
  /** Speed, pitch and volume (realtime models only); absent: the voice's own defaults (`voice.tuning`). */
  tuning?: SpeechTuning | undefined;
}

/** How one utterance went; the engine fills it in while the audio streams. */
export interface UtteranceMetrics {
  /** Time spent waiting for a ready session (or the first response headers), ms; 0 when a warm session was used. */
  connectMs: number;
  /**
   * From sending the text to the first audio, ms (the DashScope SDKs' `first_audio_delay`).
   * @remarks Realtime: from the first `append`, so it excludes connecting. HTTP: from sending the first request.
   */
  firstAudioMs: number | undefined;
  /** From the start of iteration to the end of the audio (or the failure), ms. */
  totalMs: number;
  /** Billable characters DashScope reported (`usage.characters`; a CJK ideograph counts 2). */
  characters: number;
  /** Billable characters of the text sent so far (the text goes a piece at a time; a skip stops it). */
  sentCharacters: number;
  /** Whether an already open session carried the utterance. */
  warm: boolean;
  /** Time spent waiting for the account-wide session budget (included in `connectMs`), ms. */
  limiterWaitMs: number;
}

/**
 * The audio of one utterance: iterate it once to receive 24 kHz mono s16le chunks as they arrive.
 * @remarks Lazy: nothing is sent until iteration starts. Every chunk has an even byte length. Failures
 * (a `DashScopeError`, or the abort reason) are thrown by the iterator; breaking out early stops the synthesis.
 */
export interface Synthesis extends AsyncIterable<Buffer> {
  readonly metrics: Readonly<UtteranceMetrics>;
}

/** Turns text into speech in a designed voice. */
export interface TtsEngine {
  synthesize(req: TtsRequest, signal: AbortSignal): Synthesis;
  /** Opens what the next utterance in `voice` needs ahead of time, so it does not wait for a handshake. */
  prewarm?(voice: CharacterVoice, tuning?: SpeechTuning): void;
  /**
   * The audio of an utterance in `voice` has finished playing (or was stopped): a session kept for the voice
   * stays open for its idle window from now, not from when its audio arrived.
   */
  played?(voice: CharacterVoice, tuning?: SpeechTuning): void;
  /** Ends every session: idle ones gracefully, busy ones at once. */
  close(): Promise<void>;
}

/** The `language_type` DashScope's synthesis APIs take for `voice` (a full English name, not an ISO code). */
export function languageTypeOf(voice: CharacterVoice): string {
  return (DESIGN_LANGUAGES as Readonly<Record<string, string>>)[voice.language] ?? 'Auto';
}

/** Fresh metrics, all zero. */
export function emptyMetrics(): UtteranceMetrics {
  return {
    connectMs: 0,
    firstAudioMs: undefined,
    totalMs: 0,
    characters: 0,
    sentCharacters: 0,
    warm: false,
    limiterWaitMs: 0,
  };
}
