import type { ChatMessage } from './chatMessage.ts';
import type { CleanContext } from './cleanText.ts';
import type { DictionaryInput } from './pronounce.ts';

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

/** The context `cleanText` needs for a message. */
export function cleanContext(message: ChatMessage, options: SpeechOptions): CleanContext {
  return { mentions: message.mentions, dictionary: options.dictionary, nowMs: options.nowMs ?? Date.now() };
}

/** `text` followed by the attachment phrase as a sentence of its own ("look. Sent an image"). */
export function withAttachments(text: string, phrase: string): string {
  if (text === '') return phrase;
  const ended = SENTENCE_END.test(text) ? text : `${text}.`;
  return `${ended} ${phrase.charAt(0).toUpperCase()}${phrase.slice(1)}`;
}
