import { type OpusSettings, SpeechOpusEncoder } from './opus.ts';
import { Upsampler } from './upsample.ts';

/**
 * Yields the source's chunks until it ends or `signal` aborts, then throws `signal.reason`.
 *
 * @remarks
 * A plain `for await` only notices an abort when the source yields; TTS can stall for seconds, so
 * each `next()` races the signal. On abort the source's `return()` is called without waiting for
 * it (a stalled source may never settle).
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal?: AbortSignal): AsyncGenerator<T> {
  if (signal === undefined) {
    yield* source;
    return;
  }
  signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  try {
    while (true) {
      const result = await nextOrAbort(iterator, signal);
      if (result.done === true) {
        done = true;
        return;
      }
      yield result.value;
      signal.throwIfAborted();
    }
  } finally {
    if (!done) iterator.return?.()?.catch(() => {});
  }
}

function nextOrAbort<T>(iterator: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * 24 kHz mono s16le chunks → 48 kHz mono s16le chunks, one out per chunk in, then the filter tail.
 *
 * @remarks
 * Each output chunk is yielded as soon as its input arrives (the interpolator adds 0.65 ms of
 * group delay, no buffering). Abort throws `signal.reason` promptly, even while the source stalls.
 */
export async function* toPcm48k(pcm24kMono: AsyncIterable<Buffer>, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const upsampler = new Upsampler();
  for await (const chunk of abortable(pcm24kMono, signal)) {
    const out = upsampler.push(chunk);
    if (out.length > 0) yield out;
  }
  const tail = upsampler.flush();
  if (tail.length > 0) yield tail;
}

/**
 * 24 kHz mono s16le chunks → 20 ms Opus packets (48 kHz), each yielded once its frame is full.
 *
 * @remarks
 * The first packet comes out as soon as 20 ms of audio has arrived. The last partial frame is
 * padded with silence. The encoder is freed when the generator finishes, throws, is aborted or is
 * abandoned by the consumer (`break`).
 */
export async function* toOpusPackets(
  pcm24kMono: AsyncIterable<Buffer>,
  signal?: AbortSignal,
  settings?: Readonly<OpusSettings>,
): AsyncGenerator<Buffer> {
  const encoder = new SpeechOpusEncoder(settings);
  const upsampler = new Upsampler();
  try {
    for await (const chunk of abortable(pcm24kMono, signal)) {
      for (const packet of encoder.encode(upsampler.pushTransient(chunk))) {
        signal?.throwIfAborted();
        yield packet;
      }
    }
    yield* encoder.encode(upsampler.flush());
    yield* encoder.finish();
  } finally {
    encoder.destroy();
  }
}
