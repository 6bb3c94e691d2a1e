import type { Segment } from './text/characterLines.ts';
import { NO_MENTIONS } from './text/chatMessage.ts';
import { cleanText } from './text/cleanText.ts';
import { UNKNOWN_USER } from './text/mentions.ts';
import type { Narration } from './text/narrate.ts';
import type { DictionaryInput } from './text/pronounce.ts';
import { withAttachments } from './text/toSpeech.ts';

/** A run of messages by one author in one channel is named once if each follows the last within this, in ms. */
export const NAME_REPEAT_WINDOW_MS = 30_000;
/** Channels remembered before stale ones are swept. */
const SWEEP_ABOVE_CHANNELS = 1_000;

/** The author of a message: id, and display name as shown in the server. */
export interface Author {
  id: string;
  name: string;
}

/** Options of {@link NameAnnouncer}; both are for tests and tuning. */
export interface NameAnnouncerOptions {
  windowMs?: number;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
}

interface Streak {
  authorId: string;
  lastAt: number;
  named: boolean;
}

/**
 * Decides when to say who is speaking: "Alice said: …" unless Alice's name was already said in this
 * run of her messages in this channel.
 * @remarks A run continues while each of her messages follows the previous message in the channel
 * within the window and nobody else posted in between (TTS Bot skips within 60 s, Koe within 10 s).
 * A message of only character lines names nobody (the character's voice says who it is) and starts
 * a run in which the author is not yet named.
 */
export class NameAnnouncer {
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #streaks = new Map<string, Streak>();

  constructor(options: NameAnnouncerOptions = {}) {
    this.#windowMs = options.windowMs ?? NAME_REPEAT_WINDOW_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Whether to say the author's name before this message; records the message either way. */
  shouldAnnounce(channelId: string, authorId: string, speaksAsAuthor: boolean): boolean {
    const now = this.#now();
    const previous = this.#streaks.get(channelId);
    const continues = previous?.authorId === authorId && now - previous.lastAt <= this.#windowMs;
    const alreadyNamed = continues && previous.named;
    const announce = speaksAsAuthor && !alreadyNamed;
    this.#streaks.set(channelId, { authorId, lastAt: now, named: alreadyNamed || announce });
    if (this.#streaks.size > SWEEP_ABOVE_CHANNELS) this.#sweep(now);
    return announce;
  }

  #sweep(now: number): void {
    for (const [channelId, streak] of this.#streaks) {
      if (now - streak.lastAt > this.#windowMs) this.#streaks.delete(channelId);
    }
  }
}

/**
 * Puts the author's name (if given) and the attachment phrase into a narration's segments.
 * @remarks The name goes on the author's first segment ("Alice said: hi"), or, when the author only
 * attached something, into that phrase ("Alice sent an image"). Character segments never carry a name.
 */
export function phraseNarration(narration: Narration, name: string | undefined): Segment[] {
  const segments = narration.segments.map((segment) => ({ ...segment }));
  const first = segments.find((segment) => segment.character === undefined);
  if (first && name !== undefined) first.text = `${name} said: ${first.text}`;
  const attachments = narration.attachments;
  if (attachments === undefined) return segments;
  const last = segments.at(-1);
  if (last && last.character === undefined) last.text = withAttachments(last.text, attachments);
  else
    segments.push({
      character: undefined,
      text: name !== undefined && !first ? `${name} ${attachments}` : attachments,
    });
  return segments;
}

/** A display name as it is read: cleaned like message text (emoji dropped, dictionary applied), else "someone". */
export function speakableName(displayName: string, dictionary: DictionaryInput): string {
  return cleanText(displayName, { mentions: NO_MENTIONS, dictionary, nowMs: 0 }) || UNKNOWN_USER;
}
