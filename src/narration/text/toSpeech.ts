import { describeAttachments } from './attachments.ts';
import type { ChatMessage } from './chatMessage.ts';
import { type CleanContext, cleanText } from './cleanText.ts';
import type { DictionaryInput } from './pronounce.ts';
import { cutToLength } from './spacing.ts';

export type { ChatAttachment, ChatMessage, MentionNames } from './chatMessage.ts';

/** How a message is read. */
export interface SpeechOptions {
  /** Longest text read, in characters; longer text is cut at a word with ", and more". */
  maxChars: number;
  dictionary: DictionaryInput;
  /** The time relative timestamps are read against, in ms since the epoch; default now. */
  nowMs?: number;
}

/** A sentence ends in one of these; otherwise a full stop is added before the next one. */
const SENTENCE_END = /[.!?…。！？]$/u;

/**
 * What the bot says for a chat message (without the author's name), or `undefined` for nothing.
 * @remarks The text is cleaned ({@link cleanText}) and cut to `maxChars`; what was attached follows
 * as its own sentence ("look. Sent an image"), outside the limit, so a long message never hides it.
 */
export function toSpeech(message: ChatMessage, options: SpeechOptions): string | undefined {
  const text = cleanText(message.content, cleanContext(message, options));
  const spoken = text === '' ? '' : cutToLength(text, options.maxChars).text;
  const attachments = describeAttachments(message.attachments, message.stickers);
  const result = attachments === undefined ? spoken : withAttachments(spoken, attachments);
  return result === '' ? undefined : result;
}

/** The context {@link cleanText} needs for a message. */
export function cleanContext(message: ChatMessage, options: SpeechOptions): CleanContext {
  return { mentions: message.mentions, dictionary: options.dictionary, nowMs: options.nowMs ?? Date.now() };
}

/** `text` followed by the attachment phrase as a sentence of its own ("look. Sent an image"). */
export function withAttachments(text: string, phrase: string): string {
  if (text === '') return phrase;
  const ended = SENTENCE_END.test(text) ? text : `${text}.`;
  return `${ended} ${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}`;
}
