import { describe, expect, it } from 'vitest';
import { chunkText, codePointLength, hardSplit, splitSentences } from '../../src/tts/sentences.ts';

describe('splitSentences', () => {
  it.each<[string, string, string[]]>([
    ['empty text', '', []],
    ['no terminator', 'no terminator here', ['no terminator here']],
    ['two sentences', 'Hello there. How are you?', ['Hello there. ', 'How are you?']],
    ['runs of terminators', 'Really?! Yes... Fine.', ['Really?! ', 'Yes... ', 'Fine.']],
    ['ellipsis character', 'Well… Then we go.', ['Well… ', 'Then we go.']],
    ['decimal number', 'Pi is 3.14 today. Yes!', ['Pi is 3.14 today. ', 'Yes!']],
    ['version string', 'Version v1.2.3 is out.', ['Version v1.2.3 is out.']],
    ['title abbreviation', 'Mr. Smith went home. He slept.', ['Mr. Smith went home. ', 'He slept.']],
    ['e.g. and i.e.', 'Use tools, e.g. Hammers. Done.', ['Use tools, e.g. Hammers. ', 'Done.']],
    ['initials', 'J. R. R. Tolkien wrote it. The end.', ['J. R. R. Tolkien wrote it. ', 'The end.']],
    ['lowercase continuation', 'Bring snacks etc. and drinks. Go.', ['Bring snacks etc. and drinks. ', 'Go.']],
    ['closing quote stays', 'She said "Stop." Then left.', ['She said "Stop." ', 'Then left.']],
    ['closing bracket stays', '(It rained.) We stayed.', ['(It rained.) ', 'We stayed.']],
    ['line breaks', 'line one\nline two\n\nline three', ['line one\n', 'line two\n\n', 'line three']],
    ['CRLF line break', 'first\r\nsecond', ['first\r\n', 'second']],
    ['trailing whitespace kept', 'Hi!  \n Bye. ', ['Hi!  \n ', 'Bye. ']],
    ['Chinese full stops', '你好。今天天气很好！我们走吧？', ['你好。', '今天天气很好！', '我们走吧？']],
    ['CJK closers', '他说：“走吧。”然后离开了。', ['他说：“走吧。”', '然后离开了。']],
    ['Japanese', 'こんにちは。元気ですか？', ['こんにちは。', '元気ですか？']],
    ['mixed scripts', 'OK。Next one. 最后！', ['OK。', 'Next one. ', '最后！']],
    ['terminator without space', 'wait.what', ['wait.what']],
  ])('%s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
    expect(splitSentences(text).join('')).toBe(text);
  });

  it('never loses or reorders characters (random text)', () => {
    const alphabet = ['a', 'B', ' ', '.', '!', '?', '…', '。', '！', '\n', '"', ')', '你', '😀', 'Mr', 'e.g'];
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 500; round++) {
      const text = Array.from(
        { length: Math.floor(random() * 60) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join('');
      const sentences = splitSentences(text);
      expect(sentences.join('')).toBe(text);
      expect(sentences.every((s) => s !== '')).toBe(true);
      for (const max of [1, 3, 7, 20]) {
        const chunks = chunkText(text, max);
        expect(chunks.join('')).toBe(text);
        expect(chunks.every((chunk) => codePointLength(chunk) <= max && chunk !== '')).toBe(true);
      }
    }
  });
});

describe('chunkText', () => {
  it.each<[string, string, number, string[]]>([
    ['fits in one chunk', 'One. Two. Three.', 100, ['One. Two. Three.']],
    ['packs whole sentences', 'One. Two. Three.', 10, ['One. Two. ', 'Three.']],
    ['one sentence per chunk', 'A. B. C.', 4, ['A. ', 'B. ', 'C.']],
    ['hard-splits a long sentence at spaces', 'one two three four', 8, ['one two ', 'three ', 'four']],
    ['hard-splits without spaces at the limit', 'abcdefghij', 4, ['abcd', 'efgh', 'ij']],
    ['counts code points, not UTF-16 units', '😀😀😀', 2, ['😀😀', '😀']],
    ['CJK sentences', '你好。世界好。再见。', 7, ['你好。世界好。', '再见。']],
    ['long sentence after short ones', 'Hi. Aaaa bbbb cccc. Ok.', 10, ['Hi. ', 'Aaaa bbbb ', 'cccc. Ok.']],
    ['empty text', '', 5, []],
  ])('%s', (_name, text, max, expected) => {
    expect(chunkText(text, max)).toEqual(expected);
  });

  it('keeps every chunk at or under the limit for long prose', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} has a few words in it.`).join(' ');
    const chunks = chunkText(text, 500);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(text);
    for (const chunk of chunks) {
      expect(codePointLength(chunk)).toBeLessThanOrEqual(500);
      expect(chunk.trimEnd().endsWith('.')).toBe(true);
    }
  });

  it('rejects a limit below one', () => {
    expect(() => chunkText('text', 0)).toThrow(RangeError);
  });

  it('hardSplit leaves short sentences alone', () => {
    expect(hardSplit('short', 10)).toEqual(['short']);
  });
});
