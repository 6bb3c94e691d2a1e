import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, wavBytes, writeOggOpus, writeWav } from '../../src/audio/files.ts';
import { FRAME_SAMPLES, OPUS_PRE_SKIP_SAMPLES } from '../../src/audio/formats.ts';
import { oggCrc } from '../../src/audio/ogg.ts';
import { toOpusPackets } from '../../src/audio/pipeline.ts';
import {
  bestLag,
  channel,
  chirp,
  chunksOf,
  collect,
  ffmpegDecode,
  rms,
  sine,
  split,
  toStereo,
  zeroCrossingFrequency,
} from './signal.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voicebot-audio-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* failingAfter<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
  throw new Error('source failed midway');
}

interface Page {
  flags: number;
  granule: bigint;
  sequence: number;
  crcOk: boolean;
  firstPacket: string;
}

/** Splits an Ogg file into pages and checks each CRC. */
function pages(file: Buffer): Page[] {
  const out: Page[] = [];
  for (let at = 0; at < file.length; ) {
    expect(file.toString('ascii', at, at + 4)).toBe('OggS');
    const segments = file[at + 26] ?? 0;
    const lacing = file.subarray(at + 27, at + 27 + segments);
    const size = 27 + segments + lacing.reduce((a, b) => a + b, 0);
    const page = Buffer.from(file.subarray(at, at + size));
    const crc = page.readUInt32LE(22);
    page.writeUInt32LE(0, 22);
    const body = 27 + segments;
    out.push({
      flags: page[5] ?? 0,
      granule: page.readBigInt64LE(6),
      sequence: page.readUInt32LE(18),
      crcOk: oggCrc(page) === crc,
      firstPacket: page.toString('ascii', body, body + 8),
    });
    at += size;
  }
  return out;
}

describe('Ogg CRC', () => {
  it('is CRC-32 with polynomial 0x04c11db7, init 0, no reflection, no final XOR', () => {
    expect(oggCrc(Buffer.from('123456789', 'ascii'))).toBe(0x89a1897f);
  });
});

describe('writeOggOpus', () => {
  it('writes a file ffmpeg decodes to the same tone, level and length', async () => {
    const samples24k = 36_000;
    const path = join(dir, 'tone.ogg');
    const packets = await collect(toOpusPackets(chunksOf(split(sine(1000, 24_000, samples24k), 960))));
    await writeOggOpus(path, chunksOf(packets));
    const left = channel(await ffmpegDecode(path), 2, 0);
    const expected = 2 * samples24k;
    expect(left.length).toBeGreaterThanOrEqual(expected);
    expect(left.length).toBeLessThanOrEqual(expected + FRAME_SAMPLES + OPUS_PRE_SKIP_SAMPLES);
    expect(left.length).toBe(packets.length * FRAME_SAMPLES - OPUS_PRE_SKIP_SAMPLES);
    expect(zeroCrossingFrequency(left, 48_000, 4800, expected - 4800)).toBeCloseTo(1000, 0);
    const levelDb = 20 * Math.log10(rms(left, 4800, expected - 4800) / (10_000 / Math.SQRT2));
    expect(Math.abs(levelDb)).toBeLessThan(0.5);
  });

  it('has valid pages: BOS headers, CRCs, rising granules, EOS last, granule = samples', async () => {
    const path = join(dir, 'pages.ogg');
    const packets = await collect(toOpusPackets(chunksOf([sine(500, 24_000, 60_000)])));
    await writeOggOpus(path, chunksOf(packets), { serial: 1234 });
    const list = pages(await readFile(path));
    expect(list.map((p) => p.sequence)).toEqual(list.map((_, i) => i));
    expect(list.every((p) => p.crcOk)).toBe(true);
    expect(list[0]).toMatchObject({ flags: 0x02, granule: 0n, firstPacket: 'OpusHead' });
    expect(list[1]).toMatchObject({ flags: 0, granule: 0n, firstPacket: 'OpusTags' });
    expect(list.slice(2, -1).every((p) => p.flags === 0)).toBe(true);
    expect(list.at(-1)?.flags).toBe(0x04);
    expect(list.at(-1)?.granule).toBe(BigInt(packets.length * FRAME_SAMPLES));
    const granules = list.slice(2).map((p) => p.granule);
    expect(granules.every((g, i) => i === 0 || g > (granules[i - 1] ?? 0n))).toBe(true);
    expect(list.length).toBe(2 + Math.ceil(packets.length / 50));
  });

  it('lines up at 48 kHz with the 24 kHz PCM it was encoded from (pre-skip right), rate in OpusHead', async () => {
    const input = chirp(300, 6000, 24_000, 24_000);
    const sameAt48k = chirp(300, 6000, 48_000, 48_000);
    const path = join(dir, 'chirp.ogg');
    await writeOggOpus(path, toOpusPackets(chunksOf([input])));
    const file = await readFile(path);
    const decoded = channel(await ffmpegDecode(path), 2, 0);
    expect(bestLag(channel(sameAt48k, 1, 0), decoded, 400, 4800, 9600)).toBe(0);
    const head = file.indexOf('OpusHead');
    expect(file.readUInt16LE(head + 10)).toBe(OPUS_PRE_SKIP_SAMPLES);
    expect(file.readUInt32LE(head + 12)).toBe(24_000);
  });

  it('leaves no file (and no temporary file) when the source fails midway', async () => {
    const path = join(dir, 'failed.ogg');
    const packets = await collect(toOpusPackets(chunksOf([sine(500, 24_000, 24_000)])));
    await expect(writeOggOpus(path, failingAfter(packets))).rejects.toThrow('source failed midway');
    expect(existsSync(path)).toBe(false);
    expect((await readdir(dir)).filter((name) => name.includes('failed'))).toEqual([]);
  });
});

describe('WAV', () => {
  it('writeWav streams a file ffmpeg decodes to the exact samples, equal to wavBytes', async () => {
    const path = join(dir, 'tone.wav');
    const chunks = split(sine(440, 48_000, 60_001), 2002).map(toStereo);
    const pcm = Buffer.concat(chunks);
    await writeWav(path, chunksOf(chunks), { sampleRate: 48_000, channels: 2 });
    const file = await readFile(path);
    expect(file.equals(wavBytes(pcm, 48_000, 2))).toBe(true);
    expect((await ffmpegDecode(path)).equals(pcm)).toBe(true);
    expect(parseWav(file)).toMatchObject({ sampleRate: 48_000, channels: 2, bitsPerSample: 16 });
    expect(parseWav(file).data.equals(pcm)).toBe(true);
  });

  it('wavBytes at 24 kHz mono decodes with ffmpeg to the same tone', async () => {
    const path = join(dir, 'mono.wav');
    const pcm = sine(300, 24_000, 24_000);
    await writeFile(path, wavBytes(pcm, 24_000, 1));
    const left = channel(await ffmpegDecode(path), 2, 0);
    expect(left.length).toBe(48_000);
    expect(zeroCrossingFrequency(left, 48_000, 4800, 43_200)).toBeCloseTo(300, 0);
  });

  it('parseWav skips unknown chunks, and rejects non-WAV and non-16-bit data', () => {
    const wav = wavBytes(Buffer.from([1, 0, 2, 0]), 8000, 1);
    const list = Buffer.from('LIST\u0003\u0000\u0000\u0000abc\u0000', 'latin1');
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)]);
    expect([...parseWav(withList).data]).toEqual([1, 0, 2, 0]);
    expect(() => parseWav(Buffer.from('not a wav file at all'))).toThrow(/RIFF/);
    const eightBit = Buffer.from(wav);
    eightBit.writeUInt16LE(8, 34);
    expect(() => parseWav(eightBit)).toThrow(/unsupported/);
  });

  it('writeWav leaves an existing file untouched and no temporary file when the source fails', async () => {
    const path = join(dir, 'keep.wav');
    await writeFile(path, 'previous');
    const chunks = [Buffer.alloc(4000, 1), Buffer.alloc(4000, 2)];
    await expect(writeWav(path, failingAfter(chunks), { sampleRate: 48_000, channels: 2 })).rejects.toThrow(
      'source failed midway',
    );
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect((await readdir(dir)).filter((name) => name.includes('keep.wav'))).toEqual(['keep.wav']);
  });
});
