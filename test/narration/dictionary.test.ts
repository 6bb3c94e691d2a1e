import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DICTIONARY_MAX_ENTRIES,
  DICTIONARY_READING_MAX_CHARS,
  DICTIONARY_WORD_MAX_CHARS,
} from '../../commands/limits.ts';
import {
  applyDictionary,
  checkEntry,
  PronunciationDictionary,
  parseDictionary,
} from '../../src/narration/dictionary.ts';
import { openStore, type Store } from '../../src/voices/store.ts';

const reason = (r: string) => expect.objectContaining({ name: 'UserError', reason: r });

describe('PronunciationDictionary', () => {
  let store: Store;
  let dictionary: PronunciationDictionary;
  beforeEach(async () => {
    store = await openStore('memory://');
    dictionary = new PronunciationDictionary(store.keyv);
  });
  afterEach(() => store.close());

  it('adds, lists sorted case-insensitively, and keeps guilds apart', async () => {
    await dictionary.add('g1', 'zed', 'zee');
    await dictionary.add('g1', 'Apple', 'ah-pull');
    await dictionary.add('g1', 'banana', 'ba-NAH-na');
    await dictionary.add('g2', 'other', 'x');
    expect((await dictionary.list('g1')).map((e) => e.word)).toEqual(['Apple', 'banana', 'zed']);
    expect(await dictionary.list('g2')).toEqual([{ word: 'other', reading: 'x' }]);
  });

  it('replaces a word case-insensitively and reports what it replaced', async () => {
    expect(await dictionary.add('g1', 'GG', 'good game')).toEqual({
      entry: { word: 'GG', reading: 'good game' },
      replaced: undefined,
    });
    expect(await dictionary.add('g1', 'gg', 'gee gee')).toEqual({
      entry: { word: 'gg', reading: 'gee gee' },
      replaced: { word: 'GG', reading: 'good game' },
    });
    expect(await dictionary.list('g1')).toEqual([{ word: 'gg', reading: 'gee gee' }]);
  });

  it('removes case-insensitively; removing a missing word answers undefined', async () => {
    await dictionary.add('g1', 'Kekw', 'ha');
    expect(await dictionary.remove('g1', 'KEKW')).toEqual({ word: 'Kekw', reading: 'ha' });
    expect(await dictionary.remove('g1', 'kekw')).toBeUndefined();
    expect(await dictionary.list('g1')).toEqual([]);
  });

  it(`holds at most ${DICTIONARY_MAX_ENTRIES} words, but replacing one when full works`, async () => {
    for (let i = 0; i < DICTIONARY_MAX_ENTRIES; i++) await dictionary.add('g1', `w${i}`, 'r');
    await expect(dictionary.add('g1', 'one more', 'r')).rejects.toThrow(reason('quota_full'));
    await expect(dictionary.add('g1', 'W0', 'again')).resolves.toMatchObject({ replaced: { word: 'w0' } });
    expect(await dictionary.list('g1')).toHaveLength(DICTIONARY_MAX_ENTRIES);
  });

  it.each([
    ['__proto__', 'proto'],
    ['constructor', 'con'],
    ['hasOwnProperty', 'has'],
  ])('stores %j like any other word', async (word, reading) => {
    expect(await dictionary.add('g1', word, reading)).toEqual({ entry: { word, reading }, replaced: undefined });
    expect(await dictionary.list('g1')).toEqual([{ word, reading }]);
    expect(await dictionary.remove('g1', word)).toEqual({ word, reading });
    expect(await dictionary.list('g1')).toEqual([]);
  });

  it('keeps concurrent adds', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => dictionary.add('g1', `w${i}`, 'r')));
    expect(await dictionary.list('g1')).toHaveLength(20);
  });

  it('reads a stored value of the wrong shape as the entries that are well-formed', async () => {
    await store.keyv.set('dictionary:g1', {
      a: { word: 'ok', reading: 'fine' },
      b: { word: 'x'.repeat(DICTIONARY_WORD_MAX_CHARS + 1), reading: 'long' },
      c: { word: 'n', reading: 5 },
      d: 'junk',
    });
    await store.keyv.set('dictionary:g2', 42);
    expect(await dictionary.list('g1')).toEqual([{ word: 'ok', reading: 'fine' }]);
    expect(await dictionary.list('g2')).toEqual([]);
  });
});

describe('checkEntry', () => {
  it.each([
    ['  gg  ez ', ' good   game ', { word: 'gg ez', reading: 'good game' }],
    ['C#', 'see sharp', { word: 'C#', reading: 'see sharp' }],
    [
      'x'.repeat(DICTIONARY_WORD_MAX_CHARS),
      'r'.repeat(DICTIONARY_READING_MAX_CHARS),
      { word: 'x'.repeat(40), reading: 'r'.repeat(100) },
    ],
    ['漢字', 'かんじ', { word: '漢字', reading: 'かんじ' }],
  ])('accepts %j → %j', (word, reading, expected) => {
    expect(checkEntry(word, reading)).toEqual(expected);
  });

  it.each([
    ['', 'r', /The word cannot be empty/],
    ['   ', 'r', /The word cannot be empty/],
    ['x'.repeat(DICTIONARY_WORD_MAX_CHARS + 1), 'r', /at most 40 characters; that one has 41/],
    ['w', '', /The reading cannot be empty/],
    ['w', 'r'.repeat(DICTIONARY_READING_MAX_CHARS + 1), /at most 100 characters; that one has 101/],
    ['two\nlines', 'r', /one line/],
    ['w', 'tab\there', /one line/],
  ])('refuses %j → %j', (word, reading, message) => {
    expect(() => checkEntry(word, reading)).toThrow(reason('invalid_input'));
    expect(() => checkEntry(word, reading)).toThrow(message);
  });

  it('caps a stored dictionary at the limit', () => {
    const stored = Object.fromEntries(
      Array.from({ length: 250 }, (_, i) => [`k${i}`, { word: `w${i}`, reading: 'r' }]),
    );
    expect(Object.keys(parseDictionary(stored))).toHaveLength(DICTIONARY_MAX_ENTRIES);
  });
});

describe('applyDictionary', () => {
  it.each<[string, [string, string][], string]>([
    ['gg well played', [['gg', 'good game']], 'good game well played'],
    ['GG and Gg', [['gg', 'good game']], 'good game and good game'],
    ['eggs and ggs', [['gg', 'good game']], 'eggs and ggs'],
    [
      'gg ez, gg',
      [
        ['gg', 'good game'],
        ['gg ez', 'easy'],
      ],
      'easy, good game',
    ],
    ['gg   ez', [['gg ez', 'easy']], 'easy'],
    [
      'I like C# and C++.',
      [
        ['C#', 'see sharp'],
        ['C++', 'see plus plus'],
      ],
      'I like see sharp and see plus plus.',
    ],
    ['a.b and axb', [['a.b', 'dot']], 'dot and axb'],
    [
      'cat dog',
      [
        ['cat', 'dog'],
        ['dog', 'cat'],
      ],
      'dog cat',
    ],
    ['price $5', [['$5', 'five dollars']], 'price five dollars'],
    ['日本語の漢字です', [['漢字', 'かんじ']], '日本語のかんじです'],
    ['新しい単語', [['単語', 'たんご']], '新しいたんご'],
    ['über Über', [['über', 'oober']], 'oober oober'],
    ['AIは便利, AIs', [['ai', 'エーアイ']], 'エーアイは便利, AIs'],
    [
      'gg ezy',
      [
        ['gg', 'good game'],
        ['gg ez', 'easy'],
      ],
      'good game ezy',
    ],
    ['gg\n  ez!', [['gg ez', 'easy']], 'easy!'],
    ['İstanbul or İSTANBUL', [['İstanbul', 'is-tan-bul']], 'is-tan-bul or is-tan-bul'],
    ['nothing here', [], 'nothing here'],
    ['keep $& literal', [['keep', '$&$1']], '$&$1 $& literal'],
  ])('%j with %j → %j', (text, entries, expected) => {
    expect(applyDictionary(text, new Map(entries))).toBe(expected);
    expect(
      applyDictionary(
        text,
        entries.map(([word, reading]) => ({ word, reading })),
      ),
    ).toBe(expected);
  });

  it('applies 200 entries to a 2000-character text quickly, each new dictionary included', () => {
    const entries = new Map(Array.from({ length: 200 }, (_, i) => [`word${i}`, `w${i}`]));
    const text = Array.from({ length: 250 }, (_, i) => `word${i % 300}`)
      .join(' ')
      .slice(0, 2000);
    const started = performance.now();
    const out = applyDictionary(text, entries);
    expect(performance.now() - started).toBeLessThan(1_000); // ≈1 ms; a backtracking blow-up takes seconds
    expect(out.startsWith('w0 w1 w2')).toBe(true);
    expect(out).toContain(' word200 ');
  });
});
