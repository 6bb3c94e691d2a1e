/**
 * Deterministic audio of the DashScope emulator, plus the text rules (billing, segmentation) it shares.
 * @remarks Every response's audio is one sine tone whose pitch is a hash of (voice, spoken text) and whose
 * length grows with the text, so a test that decodes the audio can tell which text, in which voice, was
 * spoken, and `synthesizePcm(segment, voice, rate)` reproduces the bytes exactly.
 */

/** Lowest tone frequency, in Hz (inclusive). */
export const TONE_MIN_HZ = 300;
/** Highest tone frequency, in Hz (exclusive). */
export const TONE_MAX_HZ = 3_000;
/** Spacing of the possible tone frequencies, in Hz. */
export const TONE_STEP_HZ = 25;
/** Length of the tone for empty text, in milliseconds. */
export const TONE_BASE_MS = 200;
/** Tone length added per code point of text, in milliseconds. */
export const TONE_PER_CODE_POINT_MS = 45;
/** Peak amplitude as a fraction of full scale. */
export const TONE_AMPLITUDE = 0.5;
/** Raised-cosine fade at each end of the tone, in milliseconds. */
export const TONE_FADE_MS = 10;

const FULL_SCALE = 32_767;
const BYTES_PER_SAMPLE = 2;

/** 32-bit FNV-1a over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The tone the emulator speaks for `text` in voice `voiceId`. */
export function expectedTone(text: string, voiceId: string): { frequencyHz: number; durationMs: number } {
  const steps = (TONE_MAX_HZ - TONE_MIN_HZ) / TONE_STEP_HZ;
  const frequencyHz = TONE_MIN_HZ + (fnv1a32(`${voiceId}\n${text}`) % steps) * TONE_STEP_HZ;
  const durationMs = TONE_BASE_MS + TONE_PER_CODE_POINT_MS * [...text].length;
  return { frequencyHz, durationMs };
}

/**
 * The audio for `text` in voice `voiceId`: s16le mono at `sampleRate`.
 * @remarks A sine at {@link expectedTone}'s frequency, amplitude {@link TONE_AMPLITUDE}, faded in and out.
 */
export function synthesizePcm(text: string, voiceId: string, sampleRate: number): Buffer {
  const { frequencyHz, durationMs } = expectedTone(text, voiceId);
  const samples = Math.round((durationMs * sampleRate) / 1000);
  const fade = Math.max(1, Math.round((TONE_FADE_MS * sampleRate) / 1000));
  const pcm = Buffer.alloc(samples * BYTES_PER_SAMPLE);
  const step = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let n = 0; n < samples; n++) {
    const edge = Math.min(n, samples - 1 - n);
    const envelope = edge >= fade ? 1 : 0.5 * (1 - Math.cos((Math.PI * edge) / fade));
    const value = Math.round(FULL_SCALE * TONE_AMPLITUDE * envelope * Math.sin(step * n));
    pcm.writeInt16LE(value, n * BYTES_PER_SAMPLE);
  }
  return pcm;
}

/** Bytes of s16le mono audio per `ms` milliseconds at `sampleRate` (always whole samples, at least one). */
export function bytesPerMs(ms: number, sampleRate: number): number {
  return Math.max(1, Math.round((ms * sampleRate) / 1000)) * BYTES_PER_SAMPLE;
}

/** Length of s16le mono `pcm` at `sampleRate`, in milliseconds. */
export function pcmDurationMs(pcm: Buffer, sampleRate: number): number {
  return (pcm.length / BYTES_PER_SAMPLE / sampleRate) * 1000;
}

const HAN = /\p{Script=Han}/u;

/**
 * Billable characters of `text` (spec §1.9): a CJK ideograph counts 2, every other code point 1.
 * @remarks "Ideograph" is read as Unicode script Han; kana and hangul count 1 (INFERRED).
 */
export function billableCharacters(text: string): number {
  let count = 0;
  for (const ch of text) count += HAN.test(ch) ? 2 : 1;
  return count;
}

/** Characters after which server_commit mode ends a sentence. */
const SENTENCE_END = /[.!?。！？\n]+/gu;

/**
 * Splits buffered text into complete sentences and the unfinished rest.
 * @remarks A sentence ends after a run of `.!?。！？\n`. Each sentence is trimmed of surrounding whitespace
 * (the spoken text, which the tone and usage are computed from); whitespace-only sentences are dropped.
 * `rest` is returned untrimmed so later appends continue it.
 */
export function splitSentences(buffer: string): { sentences: string[]; rest: string } {
  const sentences: string[] = [];
  let start = 0;
  for (const match of buffer.matchAll(SENTENCE_END)) {
    const end = match.index + match[0].length;
    const sentence = buffer.slice(start, end).trim();
    if (sentence !== '') sentences.push(sentence);
    start = end;
  }
  return { sentences, rest: buffer.slice(start) };
}

/** A RIFF/WAVE file around s16le mono `pcm`. */
export function wavFile(pcm: Buffer, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * BYTES_PER_SAMPLE, 28);
  header.writeUInt16LE(BYTES_PER_SAMPLE, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
