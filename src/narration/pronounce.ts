/** One pronunciation-dictionary entry: how `word` is to be read. */
export interface DictionaryEntry {
  word: string;
  reading: string;
}

/** A dictionary as narration takes it: a word → reading map, or entries as the store lists them. */
export type DictionaryInput = ReadonlyMap<string, string> | readonly DictionaryEntry[];

/** An empty dictionary. */
export const NO_DICTIONARY: DictionaryInput = new Map();

/** Characters with meaning in a regular expression (u mode allows escaping exactly these). */
const REGEX_SYNTAX = /[\^$\\.*+?()[\]{}|/]/gu;
const WORD_CHAR = /[\p{L}\p{N}_]/u;
/** Scripts written without spaces between words: their entries match inside longer text. */
const UNSPACED_SCRIPT = /[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]/u;

/** The comparison form of a dictionary word: NFC, trimmed, inner whitespace as one space, lower case. */
export function dictionaryKey(word: string): string {
  return word.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

interface Compiled {
  pattern: RegExp | undefined;
  readings: Map<string, string>;
}

/**
 * Replaces every dictionary word in `text` with its reading: whole words, case-insensitive,
 * longest entries first, in one pass (a reading is never itself looked up again).
 * @remarks "Whole word" applies at a word's edges in spaced scripts; an entry that starts or ends in
 * Chinese, Japanese or Thai matches inside longer text, as the 読み上げ bots' dictionaries do.
 */
export function applyDictionary(text: string, dictionary: DictionaryInput): string {
  const { pattern, readings } = compile(dictionary);
  if (pattern === undefined) return text;
  return text.replace(pattern, (match) => readings.get(dictionaryKey(match)) ?? match);
}

function compile(dictionary: DictionaryInput): Compiled {
  const pairs: [string, string][] = Array.isArray(dictionary)
    ? (dictionary as readonly DictionaryEntry[]).map((e) => [e.word, e.reading])
    : [...(dictionary as ReadonlyMap<string, string>)];
  const readings = new Map<string, string>();
  for (const [word, reading] of pairs) if (dictionaryKey(word) !== '') readings.set(dictionaryKey(word), reading);
  const words = [...readings.keys()].sort((a, b) => [...b].length - [...a].length || a.localeCompare(b));
  const pattern = words.length === 0 ? undefined : new RegExp(words.map(wordPattern).join('|'), 'giu');
  return { pattern, readings };
}

/** The word, escaped, spaces matching any whitespace, with a word boundary at each spaced-script edge. */
function wordPattern(word: string): string {
  const body = word.split(' ').map((part) => part.replace(REGEX_SYNTAX, '\\$&')).join('\\s+');
  const chars = [...word];
  const before = needsBoundary(chars[0]) ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = needsBoundary(chars.at(-1)) ? '(?![\\p{L}\\p{N}_])' : '';
  return `${before}(?:${body})${after}`;
}

function needsBoundary(char: string | undefined): boolean {
  return char !== undefined && WORD_CHAR.test(char) && !UNSPACED_SCRIPT.test(char);
}
