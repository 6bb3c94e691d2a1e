import { describe, expect, it } from 'vitest';
import { sessionUpdate } from '../../src/dashscope/realtime/protocol.ts';
import { sessionKey } from '../../src/dashscope/realtime/session.ts';
import {
  checkTuning,
  describeTuning,
  effectiveTuning,
  parseTuning,
  tuningProblem,
} from '../../src/voices/speechTuning.ts';

describe('checkTuning', () => {
  it.each([
    [{ speechRate: 1.25 }, { speechRate: 1.25 }],
    [
      { speechRate: 0.5, pitchRate: 2, volume: 0 },
      { speechRate: 0.5, pitchRate: 2, volume: 0 },
    ],
    [{ speechRate: 1.23456 }, { speechRate: 1.23 }],
    [{ speechRate: null, pitchRate: undefined, volume: 100 }, { volume: 100 }],
    [{}, {}],
  ])('accepts %j as %j', (input, expected) => {
    expect(checkTuning(input)).toEqual(expected);
  });

  it.each([
    [{ speechRate: 3 }, 'Speed must be a number from 0.5 to 2 (got 3).'],
    [{ speechRate: 0.49 }, 'Speed must be a number from 0.5 to 2 (got 0.49).'],
    [{ pitchRate: Number.NaN }, 'Pitch must be a number from 0.5 to 2 (got NaN).'],
    [{ volume: 101 }, 'Volume must be a whole number from 0 to 100 (got 101).'],
    [{ volume: 50.5 }, 'Volume must be a whole number from 0 to 100 (got 50.5).'],
  ])('refuses %j with its range', (input, message) => {
    expect(() => checkTuning(input)).toThrow(`${message} Nothing was changed.`);
  });

  it('names every value out of range at once', () => {
    expect(() => checkTuning({ speechRate: 9, volume: -1 })).toThrow(
      /^Speed must be .* \(got 9\)\. Volume must be .* \(got -1\)\. Nothing was changed\.$/,
    );
    expect(tuningProblem('speechRate', 2)).toBeUndefined();
  });
});

describe('effectiveTuning', () => {
  const voice = { speechRate: 1.5, pitchRate: 0.8, volume: 70 };
  it.each([
    ['member over voice over server', { memberSpeed: 0.7, voice, serverSpeed: 1.2 }, { ...voice, speechRate: 0.7 }],
    ['voice over server', { voice, serverSpeed: 1.2 }, voice],
    [
      'server when the voice has no speed',
      { voice: { volume: 20 }, serverSpeed: 1.2 },
      { speechRate: 1.2, volume: 20 },
    ],
    ['DashScope defaults when nothing is set', {}, {}],
    [
      'stored values clamped',
      { memberSpeed: 5, voice: { volume: 300, pitchRate: 0.1 } },
      { speechRate: 2, pitchRate: 0.5, volume: 100 },
    ],
  ])('%s', (_, layers, expected) => {
    expect(effectiveTuning(layers)).toEqual(expected);
  });
});

describe('parseTuning (stored values)', () => {
  it('keeps numbers, clamped, and drops the rest', () => {
    expect(parseTuning({ speechRate: 9, pitchRate: 'high', volume: 49.6, other: 1 })).toEqual({
      speechRate: 2,
      volume: 50,
    });
    expect(parseTuning('nonsense')).toEqual({});
    expect(parseTuning(undefined)).toEqual({});
  });
});

describe('describeTuning', () => {
  it('says what is set, or that the defaults apply', () => {
    expect(describeTuning({ speechRate: 1.25, volume: 70 })).toBe('speed 1.25×, volume 70');
    expect(describeTuning(undefined)).toBe('DashScope’s defaults');
  });
});

describe('session.update and the session key', () => {
  const target = { realtimeUrl: 'ws://x', apiKey: 'k', model: 'm', voiceId: 'v', languageType: 'English' };
  it('sends language_type always and only the speech settings that are set', () => {
    const plain = JSON.parse(sessionUpdate('v', 'English')).session;
    expect(plain).toEqual({
      voice: 'v',
      mode: 'commit',
      response_format: 'pcm',
      sample_rate: 24_000,
      language_type: 'English',
    });
    const tuned = JSON.parse(sessionUpdate('v', 'German', { speechRate: 1.5, volume: 0 })).session;
    expect(tuned).toMatchObject({ language_type: 'German', speech_rate: 1.5, volume: 0 });
    expect(tuned).not.toHaveProperty('pitch_rate');
  });

  it('equal settings share a key; different ones do not', () => {
    expect(sessionKey({ ...target, tuning: { speechRate: 1.5 } })).toBe(
      sessionKey({ ...target, tuning: { speechRate: 1.5 } }),
    );
    expect(sessionKey({ ...target, tuning: {} })).toBe(sessionKey(target));
    expect(sessionKey({ ...target, tuning: { speechRate: 1.5 } })).not.toBe(sessionKey(target));
    expect(sessionKey({ ...target, tuning: { volume: 1 } })).not.toBe(
      sessionKey({ ...target, tuning: { pitchRate: 1 } }),
    );
  });
});
