/** Appended, audibly, to a message cut at the length limit. */
export const MORE_SUFFIX = ', and more';

/** A line ending in one of these already ends with a pause; other lines are joined with a comma. */
const PAUSE_END = /[.!?…,;:。！？、]$/u;
const SPACE_BEFORE_PUNCTUATION = / +([,.!?;:…。！？、]+)(?=\s|$)/gu;
const LEADING_PUNCTUATION = /^[\s,;:.]+/u;
/** Punctuation dropped before ", and more" is appended. */
const TRAILING_PUNCTUATION = /[\s,;:.!?…。！？、-]+$/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;

/**
 * Joins lines into one spoken line and collapses whitespace.
 * @remarks A line break is a pause when read aloud: lines without their own punctuation are joined
 * with a comma ("eggs\nmilk" → "eggs, milk"); blank lines vanish.
 */
export function joinLines(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/\s+/gu, ' ').trim())
    .filter((line) => line !== '');
  return lines.reduce(joinSpoken, '').replace(SPACE_BEFORE_PUNCTUATION, '$1').replace(LEADING_PUNCTUATION, '').trim();
}

/** Joins two spoken pieces with a pause: a space after punctuation, else a comma. */
export function joinSpoken(first: string, second: string): string {
  if (first === '') return second;
  if (second === '') return first;
  return `${first}${PAUSE_END.test(first) ? ' ' : ', '}${second}`;
}

/** `text` with ", and more" in place of its closing punctuation. */
export function withMore(text: string): string {
  return `${text.replace(TRAILING_PUNCTUATION, '')}${MORE_SUFFIX}`.replace(LEADING_PUNCTUATION, '');
}

/** Whether `text` has anything to say: a letter or digit, not only punctuation. */
export function isSpeakable(text: string): boolean {
  return SPEAKABLE.test(text);
}

/**
 * Cuts `text` to at most `maxChars` characters (UTF-16 units) at a word boundary, ending in ", and more".
 * @remarks Without a space in the second half of the allowance (one enormous word) it cuts inside the
 * word, never between the halves of a surrogate pair.
 */
export function cutToLength(text: string, maxChars: number): { text: string; cut: boolean } {
  if (text.length <= maxChars) return { text, cut: false };
  const room = Math.max(0, maxChars - MORE_SUFFIX.length);
  const space = text.lastIndexOf(' ', room);
  let end = space >= room / 2 ? space : room;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return { text: withMore(text.slice(0, end)), cut: true };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
