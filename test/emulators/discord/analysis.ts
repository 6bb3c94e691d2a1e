/**
 * Signal checks for the PCM the emulator decoded (48 kHz stereo s16le): level and dominant frequency.
 */

/** Sample rate of decoded voice audio, in hertz. */
export const VOICE_SAMPLE_RATE_HZ = 48_000;

/** Left channel of interleaved stereo s16le as floats in [-1, 1). */
export function leftChannel(pcm: Buffer): Float64Array {
  const frames = Math.floor(pcm.length / 4);
  const out = new Float64Array(frames);
  for (let i = 0; i < frames; i++) out[i] = pcm.readInt16LE(i * 4) / 32_768;
  return out;
}

/** Root-mean-square level of stereo s16le, 0 (silence) to ~1 (full scale). */
export function rms(pcm: Buffer): number {
  const samples = Math.floor(pcm.length / 2);
  if (samples === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    const value = pcm.readInt16LE(i * 2) / 32_768;
    sum += value * value;
  }
  return Math.sqrt(sum / samples);
}

/** Power of `frequencyHz` in `signal` (Goertzel), normalised by length. */
export function goertzelPower(signal: Float64Array, frequencyHz: number, sampleRateHz = VOICE_SAMPLE_RATE_HZ): number {
  const coefficient = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRateHz);
  let previous = 0;
  let beforePrevious = 0;
  for (const sample of signal) {
    const current = sample + coefficient * previous - beforePrevious;
    beforePrevious = previous;
    previous = current;
  }
  const power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
  return power / (signal.length * signal.length);
}

/**
 * The strongest frequency of stereo s16le PCM between `minHz` and `maxHz`, scanned in `stepHz` steps.
 * @remarks A Goertzel scan of the left channel; fine for tones, not a general pitch tracker.
 */
export function dominantFrequency(
  pcm: Buffer,
  options: { minHz?: number; maxHz?: number; stepHz?: number } = {},
): number {
  const { minHz = 50, maxHz = 4_000, stepHz = 1 } = options;
  const signal = leftChannel(pcm);
  let best = minHz;
  let bestPower = -1;
  for (let hz = minHz; hz <= maxHz; hz += stepHz) {
    const power = goertzelPower(signal, hz);
    if (power > bestPower) {
      bestPower = power;
      best = hz;
    }
  }
  return best;
}

/** Interleaved stereo s16le of a sine tone, for tests that play audio into the emulator. */
export function sineTone(frequencyHz: number, durationMs: number, amplitude = 0.5): Buffer {
  const frames = Math.round((VOICE_SAMPLE_RATE_HZ * durationMs) / 1_000);
  const pcm = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    const value = Math.round(amplitude * 32_767 * Math.sin((2 * Math.PI * frequencyHz * i) / VOICE_SAMPLE_RATE_HZ));
    pcm.writeInt16LE(value, i * 4);
    pcm.writeInt16LE(value, i * 4 + 2);
  }
  return pcm;
}
