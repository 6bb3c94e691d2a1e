/** Messages between the {@link EncoderPool} and its worker threads (encodeWorker.ts). */

/** Main thread → worker: open a stream, encode a PCM chunk, finish (flush and pad), or drop a stream. */
export type ToEncoder =
  | { op: 'open'; stream: number }
  | { op: 'push'; stream: number; pcm: Uint8Array }
  | { op: 'finish'; stream: number }
  | { op: 'close'; stream: number };

/**
 * Worker → main thread: the answer to one `push` or `finish` of a stream, in order.
 * @remarks The packets travel as one transferred buffer and their lengths, not one cloned object each.
 */
export type FromEncoder =
  | { stream: number; packets: Uint8Array; lengths: number[] }
  | { stream: number; error: string };
