import { UserError } from '../../src/errors.ts';
import type { NarrationPlayer } from '../../src/narration/narrationQueue.ts';
import type { Utterance } from '../../src/playback/utterance.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';

/**
 * A guild player as narration sees it, with `GuildPlayer`'s queue rules: an utterance queued while
 * idle starts at once; at most `maxQueue` wait; `drop` only touches waiting ones. `finish()` plays
 * the current one to its end.
 */
export class FakePlayer implements NarrationPlayer {
  /** The voice channel it speaks in (the presence owner's knowledge, kept here for tests). */
  readonly channelId: string;
  readonly maxQueue: number;
  current: Utterance | undefined;
  readonly waiting: Utterance[] = [];
  readonly spoken: Utterance[] = [];

  constructor(channelId = 'voice-1', maxQueue = 20) {
    this.channelId = channelId;
    this.maxQueue = maxQueue;
  }

  get pending(): readonly Utterance[] {
    return [...(this.current ? [this.current] : []), ...this.waiting];
  }

  /** Texts of the current and waiting utterances, in order. */
  get texts(): string[] {
    return this.pending.map((u) => u.text);
  }

  enqueue(utterance: Utterance): number {
    if (this.waiting.length >= this.maxQueue) throw new UserError('quota_full', 'The queue is full.');
    if (!this.current) this.current = utterance;
    else this.waiting.push(utterance);
    return this.pending.length - 1;
  }

  drop(match: (u: Utterance) => boolean): number {
    const before = this.waiting.length;
    this.waiting.splice(0, before, ...this.waiting.filter((u) => !match(u)));
    return before - this.waiting.length;
  }

  skip(): boolean {
    if (!this.current) return false;
    this.current = this.waiting.shift();
    return true;
  }

  finish(): void {
    if (this.current) this.spoken.push(this.current);
    this.current = this.waiting.shift();
  }
}

let ids = 0;
/** A narration utterance of `text` (ids unique per call). */
export function utterance(text: string, messageId?: string, voice: CharacterVoice = VOICE): Utterance {
  return {
    id: `u${ids++}`,
    guildId: 'g1',
    text,
    voice,
    requestedBy: 'user',
    source: 'narration',
    reportChannelId: 't1',
    messageId,
  };
}

/** A voice for tests that never synthesize. */
export const VOICE: CharacterVoice = {
  name: 'Captain',
  voiceId: 'qwen-tts-vd-captain-voice-20260101120000123-a1b2',
  targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
  description: 'A gravelly old sea captain.',
  language: 'en',
  createdBy: '111111111111111111',
  createdAt: 1,
};
