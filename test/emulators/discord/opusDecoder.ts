/**
 * Opus decoding for the emulator: native @discordjs/opus when it loads, else opusscript (wasm).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Bytes of one decoded 20 ms frame: 960 samples × 2 channels × 2 bytes. */
export const PCM_FRAME_BYTES = 3_840;
/** Samples per channel in one 20 ms frame at 48 kHz. */
export const FRAME_SAMPLES = 960;

/** A stateful decoder for one stream (48 kHz stereo, s16le out). */
export interface OpusFrameDecoder {
  /** Decodes one frame; an empty Buffer when the frame is invalid. */
  decode(opus: Buffer): Buffer;
  destroy(): void;
}

interface NativeCodec {
  decode(buf: Buffer): Buffer;
}
interface WasmCodec {
  decode(buf: Buffer): Buffer;
  delete(): void;
}

/** Makes a decoder for 48 kHz stereo. */
export function createOpusDecoder(): OpusFrameDecoder {
  const codec = loadCodec();
  return {
    decode: (opus) => {
      try {
        return codec.decode(opus);
      } catch {
        return Buffer.alloc(0);
      }
    },
    destroy: () => codec.destroy(),
  };
}

function loadCodec(): { decode(buf: Buffer): Buffer; destroy(): void } {
  try {
    const { OpusEncoder } = require('@discordjs/opus') as {
      OpusEncoder: new (rate: number, channels: number) => NativeCodec;
    };
    const native = new OpusEncoder(48_000, 2);
    return { decode: (buf) => native.decode(buf), destroy: () => {} }; // a fresh Buffer per frame
  } catch {
    const OpusScript = require('opusscript') as new (rate: number, channels: number) => WasmCodec;
    const wasm = new OpusScript(48_000, 2);
    // opusscript returns a view of its wasm memory, which the next call overwrites.
    return { decode: (buf) => Buffer.from(wasm.decode(buf)), destroy: () => wasm.delete() };
  }
}
