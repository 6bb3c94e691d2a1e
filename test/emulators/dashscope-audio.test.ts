import { describe, expect, it } from 'vitest';
import {
  billableCharacters,
  expectedTone,
  fnv1a32,
  splitSentences,
  synthesizePcm,
  wavFile,
} from './dashscope/audio.ts';

describe('expectedTone', () => {
  it('maps (voice, text) to a 25 Hz step in [300, 3000) and 200 ms + 45 ms per code point', () => {
    for (const text of ['', 'a', 'Hello.', '你好', '🎉 party']) {
      const { frequencyHz, durationMs } = expectedTone(text, 'voice-a');
      expect(frequencyHz).toBeGreaterThanOrEqual(300);
      expect(frequencyHz).toBeLessThan(3000);
      expect((frequencyHz - 300) % 25).toBe(0);
      expect(durationMs).toBe(200 + 45 * [...text].length);
    }
  });

  it('is FNV-1a of voice + newline + text', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(expectedTone('x', 'v').frequencyHz).toBe(300 + (fnv1a32('v\nx') % 108) * 25);
  });

  it('tells voices and texts apart', () => {
    const tones = new Set(
      ['one', 'two', 'three', 'four'].flatMap((t) => ['v1', 'v2'].map((v) => expectedTone(t, v).frequencyHz)),
    );
    expect(tones.size).toBeGreaterThan(4);
  });
});

describe('synthesizePcm', () => {
  it.each([8000, 24000, 48000])('gives whole s16le samples of the tone length at %i Hz, faded at both ends', (rate) => {
    const pcm = synthesizePcm('Hello.', 'v', rate);
    expect(pcm.length).toBe(Math.round(((200 + 45 * 6) * rate) / 1000) * 2);
    expect(pcm.readInt16LE(0)).toBe(0);
    expect(Math.abs(pcm.readInt16LE(pcm.length - 2))).toBeLessThan(200);
    let peak = 0;
    for (let i = 0; i < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
    expect(peak).toBeLessThanOrEqual(16384);
    expect(peak).toBeGreaterThan(15000);
  });

  it('is deterministic', () => {
    expect(synthesizePcm('same', 'v', 24000).equals(synthesizePcm('same', 'v', 24000))).toBe(true);
  });

  it('wraps into a 44-byte WAV header', () => {
    const pcm = synthesizePcm('x', 'v', 24000);
    const wav = wavFile(pcm, 24000);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(40)).toBe(pcm.length);
    expect(wav.subarray(44).equals(pcm)).toBe(true);
  });
});

describe('billableCharacters', () => {
  it.each([
    ['', 0],
    ['Hello, world', 12],
    ['你好', 4],
    ['你好，世界。', 10],
    ['こんにちは', 5],
    ['한국어', 3],
    ['日本語です', 8],
  ])('%j counts %i', (text, count) => {
    expect(billableCharacters(text)).toBe(count);
  });
});

describe('splitSentences', () => {
  it.each([
    ['Hello. How are', ['Hello.'], ' How are'],
    ['Wait... what?! Ok', ['Wait...', 'what?!'], ' Ok'],
    ['你好。再见！', ['你好。', '再见！'], ''],
    ['line one\nline two', ['line one'], 'line two'],
    ['  \n\n', [], ''],
    ['no end', [], 'no end'],
  ])('%j', (buffer, sentences, rest) => {
    expect(splitSentences(buffer)).toEqual({ sentences, rest });
  });
});
