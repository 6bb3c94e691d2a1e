/**
 * Ears for the narration e2e tests: what the bot sent to DashScope, and whether the loopback Discord heard
 * exactly the emulator's tone for a text in a voice.
 */
import { expect } from 'vitest';
import type { DictionaryEntry } from '../../src/narration/dictionary.ts';
import { type Author, NameAnnouncer, phraseNarration, speakableName } from '../../src/narration/nameAnnouncer.ts';
import { NO_MENTIONS } from '../../src/narration/text/chatMessage.ts';
import { type Narration, narrate } from '../../src/narration/text/narrate.ts';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { type CapturedAudio, dominantFrequency } from '../emulators/discord/server.ts';
import type { BotWorld } from './harness.ts';

const BYTES_PER_MS = 192; // 48 kHz stereo s16le

/** A line the bot speaks: its exact text and the voice id it is spoken in. */
export type Line = [text: string, voiceId: string];

/** The tone in the first 400 ms of some audio, to the emulator's 25 Hz grid. */
const toneOf = (pcm: Buffer): number =>
  dominantFrequency(pcm.subarray(0, 400 * BYTES_PER_MS), { minHz: 280, maxHz: 3_020, stepHz: 5 });

/** Listening helpers bound to one world and guild. */
export function listener(world: BotWorld, guildId: string) {
  return {
    /** Texts the bot sent to DashScope for synthesis since request number `mark`. */
    synthesized: (mark: number): string[] =>
      world.dashscope.requests
        .slice(mark)
        .filter((r) => r.action === 'input_text_buffer.append')
        .map((r) => (r.body as { text: string }).text),
    /** Waits until at least the audio of `lines` has played and the bot is quiet. */
    hear: (lines: Line[]): Promise<CapturedAudio> => {
      const totalMs = lines.reduce((sum, [text, voiceId]) => sum + expectedTone(text, voiceId).durationMs, 0);
      return world.discord.waitForAudio(guildId, { minMs: totalMs - 60, untilIdle: true, timeoutMs: 25_000 });
    },
  };
}

/** The audio is exactly one utterance of `text` in `voiceId`: its tone, and its length within two packets. */
export function expectUtterance(audio: CapturedAudio, text: string, voiceId: string): void {
  const tone = expectedTone(text, voiceId);
  expect(toneOf(audio.pcm)).toBeCloseTo(tone.frequencyHz, -1);
  expect(Math.abs(audio.durationMs - tone.durationMs)).toBeLessThanOrEqual(40);
}

/**
 * `base`, reworded until its tone in `voiceId` is 300 Hz or more from `other`'s, so 20 ms packets can be told apart.
 */
export function distinctFrom(other: Line, base: string, voiceId: string): string {
  const avoid = expectedTone(...other).frequencyHz;
  for (let i = 0; ; i++) {
    const text = i === 0 ? base : `${base.replace(/[.!]$/, '')} ${'again '.repeat(i).trim()}.`;
    if (Math.abs(expectedTone(text, voiceId).frequencyHz - avoid) >= 300) return text;
  }
}

/**
 * What the bot says for each message it reads, computed with the narration modules: its settings and
 * naming mirrored, so every message the bot reads must go through {@link NarrationMirror.spoken} in order.
 */
export class NarrationMirror {
  readNames = true;
  maxChars = 300;
  dictionary: DictionaryEntry[] = [];
  readonly #names = new NameAnnouncer();
  readonly #characters: readonly string[];

  constructor(characters: readonly string[]) {
    this.#characters = characters.map((c) => c.toLowerCase());
  }

  /** A message's narration (segments, cleaned and cut), before names. */
  narration(content: string): Narration {
    const isCharacter = (name: string) => this.#characters.includes(name.toLowerCase());
    return narrate(
      { content, mentions: NO_MENTIONS, attachments: [] },
      { maxChars: this.maxChars, dictionary: this.dictionary },
      isCharacter,
    );
  }

  /**
   * The texts the bot speaks for a message in `channelId` (one per segment), its author named as the bot decides:
   * when names are read, and the author speaks in it, and {@link NameAnnouncer.shouldAnnounce} says so.
   */
  spoken(channelId: string, author: Author, content: string): string[] {
    const narration = this.narration(content);
    const speaksAsAuthor =
      narration.attachments !== undefined || narration.segments.some((s) => s.character === undefined);
    const named = this.readNames && this.#names.shouldAnnounce(channelId, author.id, speaksAsAuthor);
    const name = named ? speakableName(author.name, this.dictionary) : undefined;
    return phraseNarration(narration, name).map((s) => s.text);
  }
}
