import type { MentionNames } from './chatMessage.ts';
import { removeUnicodeEmoji, replaceCustomEmoji } from './emoji.ts';
import { replaceMaskedLinks, replaceUrls } from './links.ts';
import { removeSpoilers, replaceCodeBlocks, shelveEscapes, shelveInlineCode, stripMarkdown } from './markup.ts';
import { replaceMentions } from './mentions.ts';
import { applyDictionary, type DictionaryInput } from './pronounce.ts';
import { sanitize, shortenRepeats } from './repeats.ts';
import { Shelf, stripReserved } from './shelf.ts';
import { isSpeakable, joinLines } from './spacing.ts';
import { replaceTimestamps } from './timestamps.ts';

/** What cleaning needs besides the text. */
export interface CleanContext {
  mentions: MentionNames;
  dictionary: DictionaryInput;
  /** The time relative timestamps are read against, in ms since the epoch. */
  nowMs: number;
}

type Rule = (text: string, context: CleanContext, shelf: Shelf) => string;

/**
 * The cleaning rules, in the order they run.
 * @remarks Order matters: code and spoilers go first so nothing inside them is read; links before
 * markdown (URLs are full of `_` and `*`); mentions, timestamps and custom emoji become words that are
 * shelved so markdown rules cannot touch them; then the shelf is restored, so emoji removal, repeat
 * shortening and the dictionary see the whole text, names included; lines are joined last.
 */
export const CLEANING_RULES: readonly (readonly [name: string, rule: Rule])[] = [
  ['sanitize', (text) => sanitize(stripReserved(text))],
  ['code blocks', (text) => replaceCodeBlocks(text)],
  ['escapes', (text, _, shelf) => shelveEscapes(text, shelf)],
  ['inline code', (text, _, shelf) => shelveInlineCode(text, shelf)],
  ['spoilers', (text) => removeSpoilers(text)],
  ['masked links', (text) => replaceMaskedLinks(text)],
  ['urls', (text) => replaceUrls(text)],
  ['mentions', (text, context, shelf) => replaceMentions(text, context.mentions, shelf)],
  ['timestamps', (text, context, shelf) => replaceTimestamps(text, context.nowMs, shelf)],
  ['custom emoji', (text, _, shelf) => replaceCustomEmoji(text, shelf)],
  ['markdown', (text) => stripMarkdown(text)],
  ['restore', (text, _, shelf) => shelf.restore(text)],
  ['unicode emoji', (text) => removeUnicodeEmoji(text)],
  ['underscores', (text) => text.replace(/_+/gu, ' ')],
  ['repeats', (text) => shortenRepeats(text)],
  ['dictionary', (text, context) => applyDictionary(text, context.dictionary)],
  ['lines', (text) => joinLines(text)],
];

/**
 * Turns raw message text into what is read aloud: one line, or `''` when nothing is left to say.
 * @remarks Does not cut to length; `narrate` does, after splitting.
 */
export function cleanText(content: string, context: CleanContext): string {
  const shelf = new Shelf();
  const text = CLEANING_RULES.reduce((acc, [, rule]) => rule(acc, context, shelf), content);
  return isSpeakable(text) ? text : '';
}
