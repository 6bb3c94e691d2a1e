import { describe, expect, it } from 'vitest';
import { type Segment, splitCharacterLines } from '../../../src/narration/text/characterLines.ts';
import { narrate } from '../../../src/narration/text/narrate.ts';
import type { SpeechOptions } from '../../../src/narration/text/toSpeech.ts';
import { ALICE, message, NOW_MS } from '../helpers.ts';

const VOICES = new Set(['captain', 'old maggie', 'http', 'bob']);
const isCharacter = (name: string) => VOICES.has(name.toLowerCase());
const author = (text: string): Segment => ({ character: undefined, text });
const as = (character: string, text: string): Segment => ({ character, text });

describe('splitCharacterLines', () => {
  it.each<[string, Segment[]]>([
    ['just chatting', [author('just chatting')]],
    ['Captain: Ahoy!', [as('Captain', 'Ahoy!')]],
    ['[Captain] Ahoy!', [as('Captain', 'Ahoy!')]],
    ['  captain:Ahoy', [as('captain', 'Ahoy')]],
    ['Old Maggie: hush now', [as('Old Maggie', 'hush now')]],
    ['**Captain:** Ahoy', [as('Captain', '** Ahoy')]],
    ['*[Captain]* Ahoy', [author('*[Captain]* Ahoy')]],
    ['Note: not a voice', [author('Note: not a voice')]],
    ['http://example.com is down', [author('http://example.com is down')]],
    ['[Captain](https://x.example) is a link', [author('[Captain](https://x.example) is a link')]],
    ['12:30 lunch', [author('12:30 lunch')]],
    [
      'I draw my sword\nCaptain: Ahoy!\nOld Maggie: Hush.\nand I laugh',
      [author('I draw my sword'), as('Captain', 'Ahoy!'), as('Old Maggie', 'Hush.'), author('and I laugh')],
    ],
    ['Captain: one\ncaptain: two\n[CAPTAIN] three', [as('Captain', 'one\ntwo\nthree')]],
    ['first\n\nsecond\nBob: hi\n\nBob: again', [author('first\nsecond'), as('Bob', 'hi\nagain')]],
    [
      'Captain: look\n```\nBob: not a line\n```\nafter',
      [as('Captain', 'look'), author('```\nBob: not a line\n```\nafter')],
    ],
    ['Captain: ```\nBob: in code\n```\nBob: out', [as('Captain', '```\nBob: in code\n```'), as('Bob', 'out')]],
    ['Captain: ||a\nBob: secret||\nBob: open', [as('Captain', '||a\nBob: secret||'), as('Bob', 'open')]],
    ['Captain:\nBob:   ', []],
    ['\r\nCaptain: crlf\r\n', [as('Captain', 'crlf')]],
  ])('%j', (text, expected) => {
    expect(splitCharacterLines(text, isCharacter)).toEqual(expected);
  });

  it('asks about names no longer than a registry name allows', () => {
    const asked: string[] = [];
    splitCharacterLines(`${'x'.repeat(33)}: hi\nshort: hi`, (name) => {
      asked.push(name);
      return false;
    });
    expect(asked).toEqual(['short']);
  });
});

describe('narrate', () => {
  const options: SpeechOptions = { maxChars: 300, dictionary: new Map([['ahoy', 'ahoy there']]), nowMs: NOW_MS };

  it.each<[string, Segment[]]>([
    [`**Captain:** Ahoy! <@${ALICE}>`, [as('Captain', 'ahoy there! Alice')]],
    ['hi\nCaptain: ||spoiler||\nbye', [author('hi, bye')]],
    ['hi\nCaptain: 😀\nbye', [author('hi, bye')]],
    ['Captain: see https://x.example\nBob: **no**', [as('Captain', 'see link'), as('Bob', 'no')]],
    ['Captain: ```\ncode\n```', [as('Captain', 'code')]],
  ])('%j cleans each segment after splitting', (content, expected) => {
    expect(narrate(message(content), options, isCharacter).segments).toEqual(expected);
  });

  it('with character lines off gives one author segment: the whole message, cleaned', () => {
    const content = 'I wave\nCaptain: Ahoy!\n**bold** https://x.example';
    const narration = narrate(message(content), options, () => false);
    expect(narration.segments).toEqual([author('I wave, Captain: ahoy there! bold link')]);
  });

  it('reports attachments separately, spoken by the author', () => {
    const narration = narrate(message('Captain: Ahoy', { attachments: [{ name: 'map.png' }] }), options, isCharacter);
    expect(narration).toEqual({ segments: [as('Captain', 'ahoy there')], attachments: 'sent an image', cut: false });
  });

  it('shares maxChars across segments and cuts the one that overflows', () => {
    const long = 'word '.repeat(20).trim();
    const narration = narrate(
      message(`Captain: ${long}\nBob: ${long}\nmore from me`),
      { ...options, maxChars: 150 },
      isCharacter,
    );
    expect(narration.cut).toBe(true);
    expect(narration.segments.map((s) => s.character)).toEqual(['Captain', 'Bob']);
    expect(narration.segments[1]?.text).toMatch(/^(word )+word, and more$/u);
    expect(narration.segments.reduce((n, s) => n + s.text.length, 0)).toBeLessThanOrEqual(150);
  });

  it('ends the previous segment with ", and more" when too little room is left for the next', () => {
    const narration = narrate(
      message('Captain: Ahoy there friends!\nBob: a much longer line that will not fit'),
      { ...options, maxChars: 30 },
      isCharacter,
    );
    expect(narration.segments).toEqual([as('Captain', 'ahoy there there friends, and more')]);
  });
});
