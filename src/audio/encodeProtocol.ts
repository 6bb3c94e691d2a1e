/** Messages between the {@link EncoderPool} and its worker threads (encodeWorker.ts). */

/** One step of a stream: open it, encode a PCM chunk, finish it (flush and pad), or drop it. */
export type EncodeStep =
  | { op: 'open'; stream: number }
  | { op: 'push'; stream: number; pcm: Uint8Array }
  | { op: 'finish'; stream: number }
  | { op: 'close'; stream: number };

/** Main thread → worker: the steps of all its streams queued since the last message, in order. */
export type ToEncoder = readonly EncodeStep[];

/** The answer to one `push` or `finish` step: its packets' lengths, or why it failed. */
export type EncodeAnswer = { stream: number; lengths: number[] } | { stream: number; error: string };

/**
 * Worker → main thread: the answers to one message's steps, in order.
 * @remarks The packets of all answers travel as one transferred buffer, in answer order, not one cloned object each.
 */
export interface FromEncoder {
  answers: EncodeAnswer[];
  packets: Uint8Array;
}
