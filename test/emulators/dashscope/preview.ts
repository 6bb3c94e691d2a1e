/**
 * Preview audio for `create`: the emulator's deterministic tone for `preview_text`, in the requested format.
 * @remarks WAV (RIFF, 16-bit mono) and PCM (s16le mono) are real and exact: `synthesizePcm(preview_text,
 * voice, sample_rate)` reproduces them. MP3 and Opus are fixed placeholders (`MP3_PLACEHOLDER`,
 * `OPUS_PLACEHOLDER`): the bot only stores or forwards previews, so a codec here is not worth it.
 */
import { synthesizePcm, wavFile } from './audio.ts';

/** Preview formats the voice-design API accepts. */
export type PreviewFormat = 'wav' | 'pcm' | 'mp3' | 'opus';

const SILENT_MP3_FRAME = Buffer.concat([Buffer.from([0xff, 0xfb, 0x94, 0xc4]), Buffer.alloc(384 - 4)]);

/**
 * 96 ms of silence: four MPEG-1 Layer III frames (48 kHz, 128 kb/s, mono) after an empty ID3v2 tag.
 * @remarks A placeholder (ffmpeg decodes it): its sample rate does not follow the request and it holds no tone.
 */
export const MP3_PLACEHOLDER: Buffer = Buffer.concat([
  Buffer.from([0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
  ...Array.from({ length: 4 }, () => SILENT_MP3_FRAME),
]);

/** Clearly fake bytes for `opus`: not an Ogg stream. */
export const OPUS_PLACEHOLDER: Buffer = Buffer.from('EMULATOR-OPUS-PLACEHOLDER', 'ascii');

/** The preview bytes for `text` spoken by `voiceId`, in `format` at `sampleRate`. */
export function encodePreview(text: string, voiceId: string, format: PreviewFormat, sampleRate: number): Buffer {
  switch (format) {
    case 'wav':
      return wavFile(synthesizePcm(text, voiceId, sampleRate), sampleRate);
    case 'pcm':
      return synthesizePcm(text, voiceId, sampleRate);
    case 'mp3':
      return MP3_PLACEHOLDER;
    case 'opus':
      return OPUS_PLACEHOLDER;
  }
}
