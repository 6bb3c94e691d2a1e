import { describe, expect, it } from 'vitest';
import { CLEANING_RULES } from '../../../src/narration/text/cleanText.ts';
import { MORE_SUFFIX } from '../../../src/narration/text/spacing.ts';
import type { SpeechOptions } from '../../../src/narration/text/toSpeech.ts';
import { ALICE, BOB, GENERAL, MODS, message, NOW_MS, speech, UNKNOWN } from '../helpers.ts';

const options: SpeechOptions = { maxChars: 300, dictionary: new Map(), nowMs: NOW_MS };
const speak = (content: string, extra: Partial<SpeechOptions> = {}) =>
  speech(message(content), { ...options, ...extra });
const HOUR_S = 3_600;
const t = (offsetS: number, style = 'R') => `<t:${NOW_MS / 1000 + offsetS}:${style}>`;

describe('speech: mentions', () => {
  it.each([
    [`hi <@${ALICE}>`, 'hi Alice'],
    [`hi <@!${ALICE}>!`, 'hi Alice!'],
    [`<@${BOB}> joined`, 'Bob joined'],
    [`<@${UNKNOWN}> left`, 'someone left'],
    [`ask <@&${MODS}>`, 'ask Mods'],
    [`ask <@&${UNKNOWN}>`, 'ask a role'],
    [`go to <#${GENERAL}>`, 'go to general'],
    [`go to <#${UNKNOWN}>`, 'go to a channel'],
    ['@everyone wake up, @here too', 'everyone wake up, here too'],
    ['try </voice design:123456>', 'try slash voice design'],
    ['read <id:guide>', 'read a channel'],
    ['thanks @Carol, mail me at a@b.example', 'thanks Carol, mail me at a@b.example'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: emoji', () => {
  it.each([
    ['nice <:pepe_laugh:123456789>', 'nice pepe laugh'],
    ['<a:party__parrot:1> time', 'party parrot time'],
    ['lol 😂😂😂 ok', 'lol ok'],
    ['thumbs 👍🏽 flag 🇯🇵 family 👨‍👩‍👧 keycap 1️⃣', 'thumbs flag family keycap 1'],
    ['I❤️you', 'I you'],
    ['😂🎉', undefined],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: links', () => {
  it.each([
    ['see https://example.com/a_b*c?x=1', 'see link'],
    ['see https://example.com.', 'see link.'],
    ['two: https://a.example https://b.example, https://c.example done', 'two: links done'],
    ['one https://a.example and one https://b.example', 'one link and one link'],
    ['quiet <https://a.example/x> embed', 'quiet link embed'],
    ['bare www.example.com here, www laugh', 'bare link here, www laugh'],
    ['[the docs](https://docs.example/a_(b)) say so', 'the docs say so'],
    ['[the docs](<https://docs.example> "title") say so', 'the docs say so'],
    ['[**bold** text](https://x.example)', 'bold text'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: code and spoilers', () => {
  it.each([
    ['look ```js\nconst x = <@1>;\n``` there', 'look code there'],
    ['```one line```', 'code'],
    ['run `npm test` now', 'run npm test now'],
    ['keep `**stars**` and ``a `tick` b``', 'keep *stars* and a `tick` b'],
    ['the end is ||Bruce dies|| sadly', 'the end is sadly'],
    ['||multi\nline spoiler|| after', 'after'],
    ['||```code```||', undefined],
    ['||only a spoiler||', undefined],
    ['a ||b|| c ||d|| e', 'a c e'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: markdown', () => {
  it.each([
    ['**bold** __under__ ~~strike~~ *it* _it2_', 'bold under strike it it2'],
    ['***both*** and **_nested_** and *__mixed__* and ~~**all**~~', 'both and nested and mixed and all'],
    ['# Title\n## Sub\n### Small\n-# fine print', 'Title, Sub, Small, fine print'],
    ['> quoted\n>>> all the rest', 'quoted, all the rest'],
    ['- eggs\n* milk\n  + bread\n1. first', 'eggs, milk, bread, 1. first'],
    ['snake_case and __init__ and 5*3', 'snake case and init and 5*3'],
    ['*sigh* fine, typo*', 'sigh fine, typo'],
    ['\\*not italic\\* but \\_kept\\_', '*not italic* but kept'],
    ['>_< cute', '> < cute'],
    ['hi~ there~~', 'hi there'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: timestamps', () => {
  it.each([
    [`meet ${t(HOUR_S)}`, 'meet in 1 hour'],
    [`was ${t(-3 * 24 * HOUR_S)}`, 'was 3 days ago'],
    [`due ${t(24 * HOUR_S)}`, 'due tomorrow'],
    [`at ${t(0, 'F')} or ${t(0, 't')}`, 'at a time or a time'],
    [`at <t:${NOW_MS / 1000}>`, 'at a time'],
    [`in ${t(2 * 365 * 24 * HOUR_S)}`, 'in in 2 years'],
    ['at <t:99999999999999:R>', 'at <t:99999999999999:R>'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: repeated characters', () => {
  it.each([
    ['sooooooo goooood', 'sooo goood'],
    ['what!!!!!!', 'what!!!'],
    ['really??????', 'really???'],
    ['huh?!?!?!?!', 'huh?!'],
    ['hahahahahaha', 'hahaha'],
    ['HAHAHAHAHA hehehehe HaHahAhAha', 'HAHAHA hehehe HaHahA'],
    ['Nooooooo AAAAAAH', 'Nooo AAAH'],
    ['lmao lol xD', 'lmao lol xD'],
    ['lmaoooooooo', 'lmaooo'],
    ['wwwwwwwwww and www', 'www and www'],
    ['草草草草草', '草草草'],
    ['wait......', 'wait...'],
    ['-------- or ======', '- or ='],
    ['ok :)))))))', 'ok :)'],
    [':)))))))', undefined],
    ['1000000 or 22222222', '1000000 or 22222222'],
    [`b${'la'.repeat(20)}`, 'blalala'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: whitespace and lines', () => {
  it.each([
    ['  lots   of\t\tspace  ', 'lots of space'],
    ['first line\nsecond line', 'first line, second line'],
    ['done.\nnext\n\n\nlast!', 'done. next, last!'],
    ['crlf\r\nline', 'crlf, line'],
    ['...', undefined],
    ['', undefined],
    ['zero\u200Bwidth\uFEFF and \u0007bell', 'zerowidth and bell'],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });
});

describe('speech: combinations and hostile input', () => {
  it.each([
    ['unclosed ||spoiler stays', 'unclosed spoiler stays'],
    ['unclosed ```fence stays', 'unclosed fence stays'],
    ['half `inline', 'half inline'],
    [`**<@${BOB}>** said __<#${GENERAL}>__`, 'Bob said general'],
    [`||<@${ALICE}> https://x.example||`, undefined],
    ['> **[link](https://x.example)** <:a_b:1> 😀 soooo', 'link a b sooo'],
    ['forged \uE0000\uE001 token', 'forged 0 token'],
    ['h\u0338\u0322\u031B\u031B\u0316\u0317e\u0334\u0321', 'h\u0338\u0322\u031Be\u0334\u0321'],
    ['*'.repeat(500), undefined],
    ['|'.repeat(501), undefined],
  ])('%j → %j', (content, expected) => {
    expect(speak(content)).toBe(expected);
  });

  it('reads a 2000-character run of one letter as three', () => {
    expect(speak('a'.repeat(2000))).toBe('aaa');
  });

  it('cuts a 2000-character message at a word, within maxChars, ending in ", and more"', () => {
    const text = speak('word '.repeat(400), { maxChars: 100 }) ?? '';
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text).toMatch(/^(word )+word, and more$/);
  });

  it('cuts a single enormous word hard', () => {
    const text = speak('x1'.repeat(1000), { maxChars: 50 }) ?? '';
    expect(text).toBe(`${'x1'.repeat(20)}${MORE_SUFFIX}`);
  });

  it('never cuts an astral character in half', () => {
    const astral = Array.from({ length: 100 }, (_, i) => String.fromCodePoint(0x1d400 + i)).join('');
    const text = speak(astral, { maxChars: 30 }) ?? '';
    expect(text.endsWith(MORE_SUFFIX)).toBe(true);
    expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/u);
  });

  it('leaves text at exactly maxChars alone', () => {
    const exact = 'ab '.repeat(10).trim();
    expect(speak(exact, { maxChars: exact.length })).toBe(exact);
  });

  it('cleans a 2000-character mixed message quickly', () => {
    const chunk = '**bold** <@1> https://x.example ||s|| hahahaha <:e_e:1> 😀 ';
    const started = performance.now();
    const text = speak(chunk.repeat(Math.ceil(2000 / chunk.length)).slice(0, 2000), { maxChars: 1000 });
    expect(performance.now() - started).toBeLessThan(2_000); // a few ms; a backtracking blow-up takes seconds
    expect(text).toMatch(/^bold someone link hahaha e e bold/u);
  });
});

describe('speech: attachments', () => {
  it.each([
    [[{ name: 'cat.png' }], [], 'look. Sent an image'],
    [[{ name: 'a.jpg' }, { name: 'b', contentType: 'image/webp' }, { name: 'c.GIF' }], [], 'look. Sent 3 images'],
    [[{ name: 'clip.mp4' }, { name: 'notes.pdf' }], [], 'look. Sent a video and a file'],
    [
      [{ name: 'song.flac' }, { name: 'voice-message.ogg', contentType: 'audio/ogg' }],
      [],
      'look. Sent an audio file and a voice message',
    ],
    [[{ name: 'x.bin' }, { name: 'y' }], ['Wave'], 'look. Sent 2 files and a sticker'],
    [[], ['Wave', 'Hi'], 'look. Sent 2 stickers'],
  ])('%j %j', (attachments, stickers, expected) => {
    expect(speech(message('look', { attachments, stickers }), options)).toBe(expected);
  });

  it.each([
    ['', 'sent an image'],
    ['what?', 'what? Sent an image'],
    ['||hidden||', 'sent an image'],
  ])('attachment with text %j', (content, expected) => {
    expect(speech(message(content, { attachments: [{ name: 'a.png' }] }), options)).toBe(expected);
  });

  it('keeps the attachment phrase even when the text is cut', () => {
    const text = speech(message('word '.repeat(100), { attachments: [{ name: 'a.png' }] }), {
      ...options,
      maxChars: 40,
    });
    expect(text).toMatch(/, and more\. Sent an image$/u);
  });
});

describe('speech: dictionary', () => {
  it.each([
    ['gg everyone, GG', new Map([['gg', 'good game']]), 'good game everyone, good game'],
    ['eggs and gg', new Map([['gg', 'good game']]), 'eggs and good game'],
    [`<@${ALICE}> is here`, new Map([['alice', 'Ah-lee-seh']]), 'Ah-lee-seh is here'],
    [
      'lol <:kekw:1>',
      new Map([
        ['kekw', 'ha'],
        ['lol', 'ha ha'],
      ]),
      'ha ha ha',
    ],
    ['hahahahahaha', new Map([['hahaha', 'laughs']]), 'laughs'],
  ])('%j → %j (after the other rules)', (content, dictionary, expected) => {
    expect(speak(content, { dictionary })).toBe(expected);
  });
});

describe('cleaning order', () => {
  it('runs code and spoilers first, the dictionary and line joining last', () => {
    const names = CLEANING_RULES.map(([name]) => name);
    expect(names.slice(0, 5)).toEqual(['sanitize', 'code blocks', 'escapes', 'inline code', 'spoilers']);
    expect(names.slice(-2)).toEqual(['dictionary', 'lines']);
    expect(names.indexOf('urls')).toBeLessThan(names.indexOf('markdown'));
    expect(names.indexOf('restore')).toBeLessThan(names.indexOf('repeats'));
  });
});
