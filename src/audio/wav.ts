import type { PcmFormat } from './formats.ts';
import { BYTES_PER_SAMPLE } from './formats.ts';

/** Size of the canonical RIFF/WAVE header (RIFF, fmt, data chunk headers). */
export const WAV_HEADER_BYTES = 44;
const BITS_PER_SAMPLE = 8 * BYTES_PER_SAMPLE;
const WAVE_FORMAT_PCM = 1;

/** A decoded WAV: its format and its s16le sample data. */
export interface Wav extends PcmFormat {
  bitsPerSample: number;
  data: Buffer;
}

/**
 * The 44-byte header of a 16-bit PCM WAV holding `dataBytes` bytes of samples.
 *
 * @remarks
 * RIFF sizes are 32-bit; a streamed file writes this with 0 first and patches it at the end.
 */
export function wavHeader(dataBytes: number, format: PcmFormat): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = format.channels * BYTES_PER_SAMPLE;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(riffSize(dataBytes), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(BITS_PER_SAMPLE, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

/** RIFF chunk size for a data chunk of `dataBytes` (chunks are padded to even length). */
export function riffSize(dataBytes: number): number {
  return WAV_HEADER_BYTES - 8 + dataBytes + (dataBytes % 2);
}

/** A complete in-memory 16-bit PCM WAV file around `pcm`. */
export function wavBytes(pcm: Buffer, sampleRate: number, channels: number): Buffer {
  const pad = pcm.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([wavHeader(pcm.length, { sampleRate, channels }), pcm, pad]);
}

/**
 * Parses a 16-bit PCM WAV: walks the RIFF chunks for `fmt ` and `data`.
 *
 * @remarks
 * Tolerates extra chunks (LIST, fact) and a data size larger than the buffer (streams that were
 * never patched); throws on anything that is not 16-bit integer PCM.
 */
export function parseWav(buf: Buffer): Wav {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let format: Omit<Wav, 'data'> | undefined;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') format = parseFmt(buf.subarray(body, body + size));
    if (id === 'data') {
      if (format === undefined) throw new Error('WAV data chunk before fmt chunk');
      return { ...format, data: buf.subarray(body, Math.min(buf.length, body + size)) };
    }
    at = body + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

function parseFmt(fmt: Buffer): Omit<Wav, 'data'> {
  if (fmt.length < 16) throw new Error('WAV fmt chunk too short');
  const tag = fmt.readUInt16LE(0);
  const bitsPerSample = fmt.readUInt16LE(14);
  const extensible = tag === 0xfffe && fmt.length >= 26 && fmt.readUInt16LE(24) === WAVE_FORMAT_PCM;
  if ((tag !== WAVE_FORMAT_PCM && !extensible) || bitsPerSample !== BITS_PER_SAMPLE) {
    throw new Error(`unsupported WAV format ${tag} with ${bitsPerSample} bits per sample`);
  }
  return { channels: fmt.readUInt16LE(2), sampleRate: fmt.readUInt32LE(4), bitsPerSample };
}
