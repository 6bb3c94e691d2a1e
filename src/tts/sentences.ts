/**
 * Sentence splitting and chunking for synthesis requests (pure).
 * @remarks Commit-mode synthesis wants whole sentences per request (spec §1.6), and the non-realtime
 * endpoint takes at most 600 characters (spec §2). Every function here only cuts: the pieces
 * joined give back the input exactly, nothing lost or reordered.
 */

/** Characters that end a sentence (a run of them counts as one end). */
const TERMINATOR = /[.!?…。！？]/u;
/** Full-width terminators: CJK text has no space after them, so they end a sentence by themselves. */
const CJK_TERMINATOR = /[。！？]/u;
/** Closing quotes and brackets that stay with the sentence they close. */
const CLOSER = /["'”’)\]}»」』）】]/u;
const SPACE = /\s/u;
const LOWERCASE = /\p{Ll}/u;
/** Words that end with a period without ending the sentence (lowercase, without the final period). */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'vs',
  'e.g',
  'i.e',
  'cf',
  'fig',
  'approx',
]);
/** A single capital before a period is an initial (`J. R. R. Tolkien`). */
const INITIAL = /^\p{Lu}$/u;

/**
 * Splits `text` into sentences; each keeps its terminator, closing quotes and trailing whitespace.
 * @remarks A sentence ends after a run of `.!?…` followed by whitespace or the end, after a full-width
 * `。！？` run, or at a line break. A period after a known abbreviation or an initial, or before a
 * lowercase word, does not end one.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (ch !== '\n' && !TERMINATOR.test(ch)) {
      i += 1;
      continue;
    }
    const end = ch === '\n' ? i : endOfRun(text, i);
    if (ch === '\n' || isSentenceEnd(text, start, i, end)) {
      i = skipSpace(text, end);
      sentences.push(text.slice(start, i));
      start = i;
    } else {
      i = end;
    }
  }
  if (start < text.length) sentences.push(text.slice(start));
  return sentences;
}

/** Index after the terminator run starting at `i` and any closers after it. */
function endOfRun(text: string, i: number): number {
  let end = i;
  while (end < text.length && TERMINATOR.test(text[end] ?? '')) end += 1;
  while (end < text.length && CLOSER.test(text[end] ?? '')) end += 1;
  return end;
}

function skipSpace(text: string, i: number): number {
  let end = i;
  while (end < text.length && SPACE.test(text[end] ?? '')) end += 1;
  return end;
}

/** Whether the terminator run `[runStart, runEnd)` ends the sentence that began at `start`. */
function isSentenceEnd(text: string, start: number, runStart: number, runEnd: number): boolean {
  const run = text.slice(runStart, runEnd);
  if (CJK_TERMINATOR.test(run)) return true;
  const next = text[runEnd];
  if (next !== undefined && !SPACE.test(next)) return false;
  if (!run.startsWith('.') || run.startsWith('..')) return true;
  const following = text[skipSpace(text, runEnd)];
  if (following !== undefined && LOWERCASE.test(following)) return false;
  const word = lastWord(text.slice(start, runStart));
  return !ABBREVIATIONS.has(word.toLowerCase()) && !INITIAL.test(word);
}

/** The last whitespace-separated word of `text`, without opening quotes or brackets. */
function lastWord(text: string): string {
  const words = text.split(/\s+/u);
  return (words[words.length - 1] ?? '').replace(/^[("'“‘«「『（【[]+/u, '');
}

/** Number of code points in `text` (what DashScope's character limits count). */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * Packs the sentences of `text` into chunks of at most `maxChars` code points each.
 * @remarks Each chunk is a whole number of sentences, except for a sentence longer than `maxChars`:
 * it starts a new chunk and is cut at its last space within the limit (or at the limit when it has none);
 * its last piece may share a chunk with the sentences after it.
 */
export function chunkText(text: string, maxChars: number): string[] {
  if (!(maxChars >= 1)) throw new RangeError(`maxChars must be at least 1, got ${maxChars}`);
  const chunks: string[] = [];
  let current = '';
  for (const sentence of splitSentences(text)) {
    const pieces = hardSplit(sentence, maxChars);
    const last = pieces.pop() ?? '';
    const fits = pieces.length === 0 && codePointLength(current) + codePointLength(last) <= maxChars;
    if (current !== '' && !fits) chunks.push(current);
    chunks.push(...pieces);
    current = fits ? current + last : last;
  }
  if (current !== '') chunks.push(current);
  return chunks;
}

/** Cuts one sentence into pieces of at most `maxChars` code points, preferring to cut after a space. */
export function hardSplit(sentence: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let rest = [...sentence];
  while (rest.length > maxChars) {
    let cut = maxChars;
    while (cut > 0 && !SPACE.test(rest[cut - 1] ?? '')) cut -= 1;
    if (cut === 0) cut = maxChars;
    pieces.push(rest.slice(0, cut).join(''));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) pieces.push(rest.join(''));
  return pieces;
}
