import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ECONOMY_COMPLEXITY, SPEECH_OPUS_SETTINGS, SpeechOpusEncoder } from '../../src/audio/opus.ts';
import { PACKETS_AHEAD, SpeechPackets } from '../../src/playback/speechPackets.ts';
import { chirp, split } from '../audio/signal.ts';

/** Events nobody listens to. */
const quiet = { onTaken: () => {}, onFrame: () => {} };

/** 24 kHz mono PCM bytes in `ms` milliseconds. */
const pcmBytes = (ms: number): number => ms * 48;

/** What the encoder makes of the whole input at once: the packets SpeechPackets must match byte for byte. */
function encodedAtOnce(pcm: Buffer, complexity = SPEECH_OPUS_SETTINGS.complexity): Buffer[] {
  const encoder = new SpeechOpusEncoder({ ...SPEECH_OPUS_SETTINGS, complexity });
  const packets = [...encoder.encode(pcm), ...encoder.finish()];
  encoder.destroy();
  return packets;
}

/** Reads like the audio player: one packet per turn, until the stream ends. */
async function playOut(packets: SpeechPackets): Promise<Buffer[]> {
  const out: Buffer[] = [];
  while (!packets.readableEnded && !packets.destroyed) {
    const packet = packets.read() as Buffer | null;
    if (packet !== null) out.push(packet);
    await turn();
  }
  return out;
}

describe('SpeechPackets', () => {
  it('gives the packets the encoder makes of the whole input, however the PCM was cut', async () => {
    const pcm = chirp(200, 3_000, 24_000, 24_000 + 333);
    for (const size of [100, 960, 4_800, 7_001]) {
      const taken: number[] = [];
      const packets = new SpeechPackets({ onTaken: (bytes) => taken.push(bytes), onFrame: () => {} });
      const played = playOut(packets);
      for (const chunk of split(pcm, size)) {
        packets.addPcm(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        await turn();
      }
      packets.endPcm(false);
      const out = await played;
      expect(Buffer.concat(out).equals(Buffer.concat(encodedAtOnce(pcm))), `chunks of ${size} bytes`).toBe(true);
      expect(out.length).toBe(encodedAtOnce(pcm).length);
      expect(taken.reduce((a, b) => a + b, 0)).toBe(pcm.length);
      expect(packets.failed).toBe(false);
    }
  });

  it('encodes at the Opus complexity it starts at, and at the one it is set to from then on', async () => {
    const pcm = chirp(200, 3_000, 24_000, 24_000);
    const economy = new SpeechPackets(quiet, ECONOMY_COMPLEXITY);
    const switched = new SpeechPackets(quiet);
    switched.setComplexity(ECONOMY_COMPLEXITY);
    for (const packets of [economy, switched]) {
      const played = playOut(packets);
      packets.addPcm(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      packets.endPcm(false);
      expect(Buffer.concat(await played).equals(Buffer.concat(encodedAtOnce(pcm, ECONOMY_COMPLEXITY)))).toBe(true);
    }
    expect(Buffer.concat(encodedAtOnce(pcm, ECONOMY_COMPLEXITY)).equals(Buffer.concat(encodedAtOnce(pcm)))).toBe(false);
  });

  it('encodes only a few packets ahead of the reader, and credits PCM as the encoder starts on it', async () => {
    const taken: number[] = [];
    const packets = new SpeechPackets({ onTaken: (bytes) => taken.push(bytes), onFrame: () => {} });
    for (const chunk of split(chirp(300, 900, 24_000, 24_000), pcmBytes(100))) packets.addPcm(chunk); // 1 s, 10 chunks
    expect(await packets.buffered(2)).toBe(2);
    await turn();
    expect(packets.readableLength).toBe(PACKETS_AHEAD);
    expect(taken).toEqual([pcmBytes(100)]); // 5 frames: the first chunk only
    for (let i = 0; i < 5; i++) packets.read();
    await turn();
    expect(packets.readableLength).toBe(PACKETS_AHEAD);
    expect(taken).toEqual([pcmBytes(100), pcmBytes(100)]);
    packets.destroy();
  });

  it('sends PCM that arrives after the reader asked at once', async () => {
    const packets = new SpeechPackets(quiet);
    expect(packets.read()).toBeNull();
    const readable = new Promise((resolve) => packets.once('readable', resolve));
    packets.addPcm(chirp(300, 900, 24_000, 480));
    await readable;
    expect(packets.readableLength).toBe(1);
    packets.destroy();
  });

  it('waits for the packets it is asked for, or says how few came before the end', async () => {
    const packets = new SpeechPackets(quiet);
    const two = packets.buffered(2);
    packets.addPcm(chirp(300, 900, 24_000, 480)); // one frame
    await turn();
    let settled = false;
    void two.then(() => {
      settled = true;
    });
    await turn();
    expect(settled).toBe(false);
    packets.endPcm(false);
    // 20 ms of audio and the encoder's 6.5 ms look-ahead: two packets after all.
    expect(await two).toBe(2);

    const short = new SpeechPackets(quiet);
    short.endPcm(false);
    expect(await short.buffered(2)).toBe(0);
  });

  it('plays what a failed source delivered, then ends marked failed', async () => {
    const pcm = chirp(300, 900, 24_000, pcmBytes(100) / 2);
    const packets = new SpeechPackets(quiet);
    const played = playOut(packets);
    packets.addPcm(pcm);
    packets.endPcm(true);
    const out = await played;
    expect(out.length).toBe(encodedAtOnce(pcm).length);
    expect(packets.failed).toBe(true);
    expect(packets.errored).toBeNull();
  });

  it("times each packet the player takes against the stream's schedule, not Node's own reads", async () => {
    const frames: number[] = [];
    const packets = new SpeechPackets({ onTaken: () => {}, onFrame: (behindMs) => frames.push(behindMs) });
    packets.addPcm(chirp(300, 900, 24_000, 2_400)); // 100 ms: five packets
    packets.endPcm(false);
    expect(await packets.buffered(2)).toBe(2);
    await turn();
    expect(frames).toEqual([]); // filling ahead reads 0, and is not the player
    const out = await playOut(packets);
    expect(frames.length).toBe(out.length);
    expect(frames.every((ms) => ms >= 0)).toBe(true);
  });

  it('stops at once when destroyed, waking a wait and taking no more PCM', async () => {
    const taken: number[] = [];
    const packets = new SpeechPackets({ onTaken: (bytes) => taken.push(bytes), onFrame: () => {} });
    const waiting = packets.buffered(2);
    packets.destroy();
    expect(await waiting).toBe(0);
    packets.addPcm(chirp(300, 900, 24_000, 4_800));
    packets.endPcm(false);
    expect(taken).toEqual([]);
    expect(packets.readableLength).toBe(0);
  });
});
