import { randomInt, randomUUID } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DISCORD_CHANNELS, OPUS_PRE_SKIP_SAMPLES, type PcmFormat, SPEECH_SAMPLE_RATE_HZ } from './formats.ts';
import { OggOpusMuxer } from './ogg.ts';
import { WAV_HEADER_BYTES, wavHeader } from './wav.ts';

export { parseWav, type Wav, wavBytes } from './wav.ts';

/** Largest data chunk a RIFF file can describe (32-bit sizes). */
const MAX_WAV_DATA_BYTES = 0xffff_ffff - (WAV_HEADER_BYTES - 8) - 1;

/**
 * Runs `write` on a temporary file beside `path`, then renames it into place.
 *
 * @remarks
 * A source that fails midway must not leave a file that looks complete: on any error the temporary
 * file is deleted and the destination is untouched. The rename is atomic within one directory.
 */
export async function writeAtomically(path: string, write: (file: FileHandle) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  let file: FileHandle | undefined = await open(temp, 'wx');
  try {
    await write(file);
    await file.datasync();
    await file.close();
    file = undefined;
    await rename(temp, path);
  } catch (error) {
    await file?.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Streams s16le PCM into a WAV file: placeholder header, data, then the RIFF/data sizes patched.
 *
 * @remarks
 * Written through {@link writeAtomically}, so a failing source leaves no file at `path`.
 */
export async function writeWav(path: string, pcm: AsyncIterable<Buffer>, format: PcmFormat): Promise<void> {
  await writeAtomically(path, async (file) => {
    await file.write(wavHeader(0, format));
    let dataBytes = 0;
    for await (const chunk of pcm) {
      dataBytes += chunk.length;
      if (dataBytes > MAX_WAV_DATA_BYTES) throw new Error('WAV data exceeds the 4 GiB RIFF limit');
      await file.write(chunk);
    }
    if (dataBytes % 2 === 1) await file.write(Buffer.alloc(1));
    const header = wavHeader(dataBytes, format);
    await file.write(header, 0, header.length, 0);
  });
}

/** Options of {@link writeOggOpus}; all optional. */
export interface OggOpusOptions {
  /** Samples the decoder drops at the start; libopus's look-ahead by default. */
  preSkip?: number;
  /** Output channel count written to OpusHead (2 for our encoder). */
  channels?: number;
  /** Informational original sample rate for OpusHead; the speech encoder's input rate by default. */
  inputSampleRate?: number;
  /** Ogg stream serial number; random by default. */
  serial?: number;
  vendor?: string;
}

/**
 * Writes Opus packets (48 kHz) as an Ogg Opus file: OpusHead, OpusTags, ~1 s audio pages, EOS.
 *
 * @remarks
 * Granule positions count 48 kHz samples including pre-skip; the last page is not end-trimmed, so
 * decoders play the padding of the final frame as silence. A source with no packets is an error.
 * Written through {@link writeAtomically}, so a failing source leaves no file at `path`.
 */
export async function writeOggOpus(
  path: string,
  opusPackets: AsyncIterable<Buffer>,
  options: OggOpusOptions = {},
): Promise<void> {
  const muxer = new OggOpusMuxer(options.serial ?? randomInt(2 ** 32));
  const head = {
    channels: options.channels ?? DISCORD_CHANNELS,
    preSkip: options.preSkip ?? OPUS_PRE_SKIP_SAMPLES,
    inputSampleRate: options.inputSampleRate ?? SPEECH_SAMPLE_RATE_HZ,
  };
  await writeAtomically(path, async (file) => {
    await file.write(muxer.headers(head, options.vendor ?? 'libopus via prism-media'));
    let packets = 0;
    for await (const packet of opusPackets) {
      const page = muxer.add(packet);
      if (page !== undefined) await file.write(page);
      packets++;
    }
    if (packets === 0) throw new Error('no Opus packets to write');
    await file.write(muxer.end());
  });
}
