/** Longest run of one letter kept ("sooooo" → "sooo"), and of a repeated 2–4-letter unit ("hahahaha" → "hahaha"). */
export const MAX_LETTER_REPEATS = 3;
/** Longest run of `!` or `?` kept. */
export const MAX_MARK_REPEATS = 3;
/** Longest run of combining marks on one letter kept (Thai tone + vowel fit; zalgo does not). */
export const MAX_COMBINING_MARKS = 3;

const LETTER_RUN = /(\p{L})\1{3,}/giu;
const UNIT_RUN = /(\p{L}{2,4}?)\1{3,}/giu;
const MARK_RUN = /[!?]{4,}/gu;
const DOT_RUN = /\.{4,}/gu;
const ELLIPSIS_RUN = /…{2,}/gu;
/** A run of one symbol (`-----`, `:)))))`, `$$$`); digits are never shortened (1000000 is a number). */
const SYMBOL_RUN = /([^\p{L}\p{N}\p{M}\s!?.])\1+/gu;
const COMBINING_RUN = new RegExp(`(\\p{M}{${MAX_COMBINING_MARKS}})\\p{M}+`, 'gu');
/** Invisible or control characters that only ever hide things from readers. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u200B\u2060\uFEFF]/gu;

/**
 * Shortens runs of one character or one short unit, so spam and stretched words stay short.
 * @remarks Three of a letter or unit keeps the feeling ("sooo", "hahaha", "www" for Japanese
 * laughter) while capping the time it takes; words like "lmao" and "lol" are left as they are,
 * since modern TTS voices say them well. A mixed `?!?!?!` becomes `?!`.
 */
export function shortenRepeats(text: string): string {
  return text
    .replace(LETTER_RUN, (run) => firstChars(run, MAX_LETTER_REPEATS))
    .replace(UNIT_RUN, (run, unit: string) => firstChars(run, [...unit].length * MAX_LETTER_REPEATS))
    .replace(MARK_RUN, (run) => (run.includes('!') && run.includes('?') ? '?!' : run.slice(0, MAX_MARK_REPEATS)))
    .replace(DOT_RUN, '...')
    .replace(ELLIPSIS_RUN, '…')
    .replace(SYMBOL_RUN, '$1');
}

/** The first `count` code points of a run, so "Zzzzz" keeps its case as typed ("Zzz"). */
function firstChars(run: string, count: number): string {
  return [...run].slice(0, count).join('');
}

/** Normalizes line breaks and drops invisible characters and zalgo-style stacks of combining marks. */
export function sanitize(text: string): string {
  return text.replace(/\r\n?/gu, '\n').replace(INVISIBLE, '').replace(COMBINING_RUN, '$1');
}
