import { describe, expect, it } from 'vitest';
import { nameKey, nameProblem, normalizeName, parseVoice } from '../../src/voices/voiceRecord.ts';
import { voice } from './backends.ts';

describe('registry names', () => {
  it.each([
    ['Captain', 'Captain', 'captain'],
    ['  Old \t  Salt\n', 'Old Salt', 'old salt'],
    ['Ｃａｐｔａｉｎ　Ｎｅｍｏ', 'Captain Nemo', 'captain nemo'],
    ["O'Brien-2_b", "O'Brien-2_b", "o'brien-2_b"],
    ['船长', '船长', '船长'],
    ['ZOË', 'ZOË', 'zoe'],
  ])('normalizes %j to %j (key %j) and accepts it', (raw, display, key) => {
    expect(normalizeName(raw)).toBe(display);
    expect(nameKey(raw)).toBe(key);
    expect(nameProblem(display)).toBeUndefined();
  });

  it.each([
    ['Ada', '\u0410da'], // Latin A, Cyrillic А
    ['Captain', 'Сaptaіn'], // Cyrillic С and і
    ['Zoe', 'Zoë'],
    ['paypal', 'ρayρal'], // Greek rho
  ])('takes %j and %j, which look alike, for one name', (a, b) => {
    expect(a).not.toBe(b);
    expect(nameKey(b)).toBe(nameKey(a));
  });

  it('keeps names in scripts that look like no other apart', () => {
    expect(nameKey('船长')).not.toBe(nameKey('船员'));
    expect(nameKey('Ada')).not.toBe(nameKey('Ida'));
  });

  it.each([
    ['', /cannot be empty/],
    ['x'.repeat(33), /at most 32 characters; that one has 33/],
    ['_under', /start with a letter or a digit/],
    ["'quoted'", /start with a letter or a digit/],
    ['semi;colon', /";" is not allowed/],
    ['mic 🎙', /"🎙" is not allowed/],
  ])('rejects %j', (name, message) => {
    expect(nameProblem(name)).toMatch(message);
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(nameProblem('𝒜'.repeat(32))).toBeUndefined();
  });
});

describe('parseVoice', () => {
  it('returns a clean copy of a valid voice, dropping unknown fields', () => {
    const v = voice('Captain');
    expect(parseVoice({ ...v, extra: true })).toEqual({ ok: true, voice: v });
  });

  it.each([
    [null, /not an object/],
    [[], /not an object/],
    [{ ...voice('x'), name: 'a  b' }, /not normalized/],
    [{ ...voice('x'), name: '!' }, /name: /],
    [{ ...voice('x'), voiceId: '' }, /voiceId/],
    [{ ...voice('x'), voiceId: 'has space' }, /voiceId/],
    [{ ...voice('x'), targetModel: 'qwen3-tts-flash' }, /targetModel/],
    [{ ...voice('x'), description: 3 }, /description/],
    [{ ...voice('x'), language: 'toString' }, /language/],
    [{ ...voice('x'), createdBy: '' }, /createdBy/],
    [{ ...voice('x'), createdAt: 1.5 }, /createdAt/],
    [{ ...voice('x'), createdAt: '2026' }, /createdAt/],
  ])('rejects %j', (value, problem) => {
    const parsed = parseVoice(value);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});
