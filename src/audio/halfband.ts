// biome-ignore-all lint/style/noNonNullAssertion: DSP inner loops index typed arrays within bounds checked once per
// call.
/**
 * Half-band FIR design for the 2× interpolator (24 kHz → 48 kHz) and its inner loop.
 *
 * @remarks
 * Speech from the TTS has content up to ~10 kHz; upsampling by zero-stuffing mirrors a tone at f
 * to 24 kHz − f, so a 10 kHz tone images at 14 kHz. The filter therefore needs a 10 → 14 kHz
 * transition band (Δf/fs = 4/48). Kaiser's estimate N ≈ (A − 7.95) / (14.36 · Δf/fs) + 1 gives
 * N ≈ 61 taps for A = 80 dB; the next half-band length (4K − 1) is 63, K = 16. β = 8 is Kaiser's
 * β(A) = 0.1102 (A − 8.7) for A ≈ 80 dB: measured, images sit ≥ 80 dB down (20 dB of margin over
 * the 60 dB target, near the 16-bit noise floor) and the passband is flat within ±0.001 dB.
 * A half-band filter with cutoff fs/4 has every second coefficient zero, so one polyphase branch
 * is a pure delay (it passes the input samples through) and the other has 2K = 32 taps, which
 * are symmetric, so only K = 16 multiplies per output sample.
 */

/** K: half the number of non-zero taps in the sinc branch. */
export const HALF_TAPS = 16;
/** Prototype length at 48 kHz: 63 taps. */
export const UPSAMPLE_TAPS = 4 * HALF_TAPS - 1;
/** Group delay of the interpolator, in 48 kHz samples ((N − 1) / 2 = 31). */
export const UPSAMPLE_DELAY_SAMPLES = (UPSAMPLE_TAPS - 1) / 2;
/** Group delay of the interpolator in ms (31 / 48 kHz ≈ 0.646 ms). */
export const UPSAMPLE_DELAY_MS = (UPSAMPLE_DELAY_SAMPLES * 1000) / 48_000;
/** Input samples of context the sinc branch needs before the current one (2K − 1 = 31). */
export const HISTORY = 2 * HALF_TAPS - 1;
const KAISER_BETA = 8;

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 64 && term > 1e-17 * sum; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

/** The 63-tap prototype h[n] with gain 2 (interpolation), centre tap 1. */
export function halfBandPrototype(): Float64Array {
  const centre = UPSAMPLE_DELAY_SAMPLES;
  const h = new Float64Array(UPSAMPLE_TAPS);
  for (let n = 0; n < UPSAMPLE_TAPS; n++) {
    const m = n - centre;
    const sinc = m === 0 ? 0.5 : Math.sin((Math.PI * m) / 2) / (Math.PI * m);
    const r = m / centre;
    h[n] = (2 * sinc * besselI0(KAISER_BETA * Math.sqrt(1 - r * r))) / besselI0(KAISER_BETA);
  }
  return h;
}

/** The first half of the symmetric sinc branch, g[i] = h[2i] for i < K. */
const BRANCH = Array.from(halfBandPrototype().filter((_, n) => n % 2 === 0 && n < 2 * HALF_TAPS));
const [G0, G1, G2, G3, G4, G5, G6, G7, G8, G9, G10, G11, G12, G13, G14, G15] = BRANCH as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];

/** Rounds half up (like Math.round) and saturates to int16; ~30 % faster than Math.round in V8. */
function saturate(acc: number): number {
  const y = acc + 32_768.5;
  return y >= 65_535 ? 32_767 : y <= 0 ? -32_768 : (y | 0) - 32_768;
}

/**
 * Interpolates n input samples from w (HISTORY samples of context first) into 2n int16 (48 kHz mono).
 *
 * @remarks
 * Output 2m is the sinc branch over x[m − 31 … m]; output 2m + 1 is x[m − 15] (the pure-delay
 * branch). Two outputs per iteration share 33 loads instead of 64, and the taps are unrolled:
 * measured 5.7 µs per 20 ms here, vs 13 µs for the straightforward double loop. The samples are
 * held as doubles: with Int32Array every pair sum needs an int→double conversion (6.8 µs).
 */
export function interpolate(w: Float64Array, n: number, out: Int16Array): void {
  let m = 0;
  for (; m + 1 < n; m += 2) {
    const x0 = w[m]!,
      x1 = w[m + 1]!,
      x2 = w[m + 2]!,
      x3 = w[m + 3]!,
      x4 = w[m + 4]!,
      x5 = w[m + 5]!;
    const x6 = w[m + 6]!,
      x7 = w[m + 7]!,
      x8 = w[m + 8]!,
      x9 = w[m + 9]!,
      x10 = w[m + 10]!,
      x11 = w[m + 11]!;
    const x12 = w[m + 12]!,
      x13 = w[m + 13]!,
      x14 = w[m + 14]!,
      x15 = w[m + 15]!,
      x16 = w[m + 16]!;
    const x17 = w[m + 17]!,
      x18 = w[m + 18]!,
      x19 = w[m + 19]!,
      x20 = w[m + 20]!,
      x21 = w[m + 21]!;
    const x22 = w[m + 22]!,
      x23 = w[m + 23]!,
      x24 = w[m + 24]!,
      x25 = w[m + 25]!,
      x26 = w[m + 26]!;
    const x27 = w[m + 27]!,
      x28 = w[m + 28]!,
      x29 = w[m + 29]!,
      x30 = w[m + 30]!,
      x31 = w[m + 31]!;
    const x32 = w[m + 32]!;
    const e0 = saturate(
      G0 * (x0 + x31) +
        G1 * (x1 + x30) +
        G2 * (x2 + x29) +
        G3 * (x3 + x28) +
        G4 * (x4 + x27) +
        G5 * (x5 + x26) +
        G6 * (x6 + x25) +
        G7 * (x7 + x24) +
        G8 * (x8 + x23) +
        G9 * (x9 + x22) +
        G10 * (x10 + x21) +
        G11 * (x11 + x20) +
        G12 * (x12 + x19) +
        G13 * (x13 + x18) +
        G14 * (x14 + x17) +
        G15 * (x15 + x16),
    );
    const e1 = saturate(
      G0 * (x1 + x32) +
        G1 * (x2 + x31) +
        G2 * (x3 + x30) +
        G3 * (x4 + x29) +
        G4 * (x5 + x28) +
        G5 * (x6 + x27) +
        G6 * (x7 + x26) +
        G7 * (x8 + x25) +
        G8 * (x9 + x24) +
        G9 * (x10 + x23) +
        G10 * (x11 + x22) +
        G11 * (x12 + x21) +
        G12 * (x13 + x20) +
        G13 * (x14 + x19) +
        G14 * (x15 + x18) +
        G15 * (x16 + x17),
    );
    const o = 2 * m;
    out[o] = e0;
    out[o + 1] = x16;
    out[o + 2] = e1;
    out[o + 3] = x17;
  }
  if (m < n) interpolateOne(w, m, out);
}

/** The same for a single (last, odd) input sample m. */
function interpolateOne(w: Float64Array, m: number, out: Int16Array): void {
  let acc = 0;
  for (let i = 0; i < HALF_TAPS; i++) acc += BRANCH[i]! * (w[m + i]! + w[m + HISTORY - i]!);
  const even = saturate(acc);
  const odd = w[m + HALF_TAPS]!;
  out.set([even, odd], 2 * m);
}
