import { describeAttachments } from './attachments.ts';
import { type Segment, splitCharacterLines } from './characterLines.ts';
import type { ChatMessage } from './chatMessage.ts';
import { cleanText } from './cleanText.ts';
import { cutToLength, joinSpoken, withMore } from './spacing.ts';
import { cleanContext, type SpeechOptions } from './toSpeech.ts';

export type { Segment } from './characterLines.ts';

/** What a chat message becomes: cleaned segments by speaker, and what the author attached. */
export interface Narration {
  /** In message order; adjacent segments never share a speaker; each has something to say. */
  segments: Segment[];
  /** "sent an image", …, or `undefined`; spoken by the author after the segments. */
  attachments: string | undefined;
  /** Whether text was cut at `maxChars`. */
  cut: boolean;
}

/** A segment cut shorter than this would be a stub; the previous one gets ", and more" instead. */
const MIN_SEGMENT_CHARS = 20;

/**
 * Splits a message by speaker ({@link splitCharacterLines} on the raw content), then cleans each
 * segment ({@link cleanText}) and cuts the whole to `maxChars`.
 * @remarks Splitting comes first because cleaning removes the line breaks and brackets that mark a
 * character's line. Pass `() => false` when character lines are off: the result is then one author
 * segment. The author's name and what was attached are added by `phraseNarration`.
 */
export function narrate(
  message: ChatMessage,
  options: SpeechOptions,
  isCharacter: (name: string) => boolean,
): Narration {
  const context = cleanContext(message, options);
  const cleaned = splitCharacterLines(message.content, isCharacter)
    .map((segment) => ({ character: segment.character, text: cleanText(segment.text, context) }))
    .filter((segment) => segment.text !== '');
  const { segments, cut } = fitLength(mergeSpeakers(cleaned), options.maxChars);
  return { segments, attachments: describeAttachments(message.attachments, message.stickers), cut };
}

/** Merges neighbours with the same speaker (a line between them may have cleaned to nothing). */
function mergeSpeakers(segments: readonly Segment[]): Segment[] {
  const merged: Segment[] = [];
  for (const segment of segments) {
    const last = merged.at(-1);
    if (last && last.character?.toLowerCase() === segment.character?.toLowerCase()) {
      last.text = joinSpoken(last.text, segment.text);
    } else merged.push({ ...segment });
  }
  return merged;
}

/** Keeps segments while they fit in `maxChars` in all; cuts the first that does not and drops the rest. */
function fitLength(segments: readonly Segment[], maxChars: number): { segments: Segment[]; cut: boolean } {
  const kept: Segment[] = [];
  let left = maxChars;
  for (const segment of segments) {
    if (segment.text.length <= left) {
      kept.push(segment);
      left -= segment.text.length;
      continue;
    }
    const last = kept.at(-1);
    if (left >= MIN_SEGMENT_CHARS || !last) kept.push({ ...segment, text: cutToLength(segment.text, left).text });
    else last.text = withMore(last.text);
    return { segments: kept, cut: true };
  }
  return { segments: kept, cut: false };
}
