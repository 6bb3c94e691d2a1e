import type Keyv from 'keyv';
import {
  DICTIONARY_MAX_ENTRIES,
  DICTIONARY_READING_MAX_CHARS,
  DICTIONARY_WORD_MAX_CHARS,
} from '../../commands/limits.ts';
import { invalidInput, UserError } from '../errors.ts';
import { GuildRecord, objectOrEmpty } from '../voices/guildRecord.ts';
import { type DictionaryEntry, dictionaryKey } from './text/pronounce.ts';

export { applyDictionary, type DictionaryEntry, type DictionaryInput, dictionaryKey } from './text/pronounce.ts';

/** Entries by {@link dictionaryKey}. */
type DictionaryDoc = Record<string, DictionaryEntry>;

/** What {@link PronunciationDictionary.add} did. */
export interface AddResult {
  entry: DictionaryEntry;
  /** The entry it replaced, if the word was already there. */
  replaced: DictionaryEntry | undefined;
}

/** Line breaks, tabs and other control characters: an entry is one line of visible text. */
const CONTROL = /\p{Cc}/u;

/**
 * A server's pronunciation dictionary (単語登録): word → reading, one record per guild (`dictionary:<guildId>`).
 * @remarks Words are matched case-insensitively and may be phrases ("gg ez"): a phrase is as useful
 * to fix as a word, and matching stays whole-word at its edges. Replacing an existing word is allowed
 * and reported, so a member fixing a reading needs no remove first.
 */
export class PronunciationDictionary {
  readonly #record: GuildRecord<DictionaryDoc>;

  constructor(keyv: Keyv) {
    this.#record = new GuildRecord(keyv, 'dictionary', parseDictionary);
  }

  /** Entries sorted by word (case-insensitive). */
  async list(guildId: string): Promise<DictionaryEntry[]> {
    return sortEntries(Object.values(await this.#record.get(guildId)));
  }

  /** Adds or replaces a word's reading. */
  async add(guildId: string, word: string, reading: string): Promise<AddResult> {
    const entry = checkEntry(word, reading);
    const key = dictionaryKey(entry.word);
    let replaced: DictionaryEntry | undefined;
    await this.#record.update(guildId, (doc) => {
      replaced = own(doc, key);
      if (!replaced && Object.keys(doc).length >= DICTIONARY_MAX_ENTRIES) {
        throw new UserError(
          'quota_full',
          `The dictionary is full (${DICTIONARY_MAX_ENTRIES} words); remove one first.`,
        );
      }
      return { ...doc, [key]: entry };
    });
    return { entry, replaced };
  }

  /** Removes a word; returns its entry, or `undefined` if it was not there. */
  async remove(guildId: string, word: string): Promise<DictionaryEntry | undefined> {
    const key = dictionaryKey(word);
    let removed: DictionaryEntry | undefined;
    await this.#record.update(guildId, (doc) => {
      removed = own(doc, key);
      return Object.fromEntries(Object.entries(doc).filter(([k]) => k !== key));
    });
    return removed;
  }
}

/** Checks and tidies a new entry: word 1–40 characters, reading 1–100, each one line. */
export function checkEntry(word: string, reading: string): DictionaryEntry {
  const entry = { word: tidy(word), reading: tidy(reading) };
  const problem = entryProblem(entry);
  if (problem !== undefined) throw invalidInput(problem);
  return entry;
}

function entryProblem({ word, reading }: DictionaryEntry): string | undefined {
  const wordChars = [...word].length;
  const readingChars = [...reading].length;
  if (wordChars === 0) return 'The word cannot be empty.';
  if (wordChars > DICTIONARY_WORD_MAX_CHARS)
    return `A word can have at most ${DICTIONARY_WORD_MAX_CHARS} characters; that one has ${wordChars}.`;
  if (readingChars === 0) return 'The reading cannot be empty.';
  if (readingChars > DICTIONARY_READING_MAX_CHARS) {
    return `A reading can have at most ${DICTIONARY_READING_MAX_CHARS} characters; that one has ${readingChars}.`;
  }
  if (CONTROL.test(word) || CONTROL.test(reading)) return 'Words and readings must be on one line.';
  return undefined;
}

/** NFC, trimmed, runs of spaces as one; line breaks are kept so they can be refused. */
function tidy(text: string): string {
  return text
    .normalize('NFC')
    .trim()
    .replace(/[^\S\n\r\t]+/gu, ' ');
}

function sortEntries(entries: DictionaryEntry[]): DictionaryEntry[] {
  return entries.sort(
    (a, b) => a.word.localeCompare(b.word, undefined, { sensitivity: 'base' }) || a.word.localeCompare(b.word),
  );
}

/** Reads a stored dictionary, keeping only well-formed entries, at most the limit. */
export function parseDictionary(value: unknown): DictionaryDoc {
  const entries = new Map<string, DictionaryEntry>();
  for (const raw of Object.values(objectOrEmpty(value))) {
    const entry = objectOrEmpty(raw);
    if (typeof entry.word !== 'string' || typeof entry.reading !== 'string') continue;
    const clean = { word: tidy(entry.word), reading: tidy(entry.reading) };
    if (entryProblem(clean) !== undefined || entries.size >= DICTIONARY_MAX_ENTRIES) continue;
    entries.set(dictionaryKey(clean.word), clean);
  }
  return Object.fromEntries(entries);
}

/**
 * The entry under `key` if the record itself holds one.
 * @remarks Keys are members' words, and a word like `__proto__` or `constructor` must not reach
 * `Object.prototype`; records are built with `Object.fromEntries` and computed keys for the same reason.
 */
function own(doc: DictionaryDoc, key: string): DictionaryEntry | undefined {
  return Object.hasOwn(doc, key) ? doc[key] : undefined;
}
