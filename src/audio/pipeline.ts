import { type OpusSettings, SpeechOpusEncoder } from './opus.ts';

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
 * 24 kHz mono s16le chunks → 20 ms Opus packets (decoded at Discord's 48 kHz), each yielded once its frame is full.
 *
 * @remarks
 * Encoded at the TTS's own 24 kHz, with no resampling (see `SPEECH_SAMPLE_RATE_HZ`). The first packet comes
 * out as soon as 20 ms of audio has arrived. The last partial frame is padded with silence. The encoder is freed
 * when the generator finishes, throws, is aborted or is abandoned by the consumer (`break`).
 */
export async function* toOpusPackets(
  pcm24kMono: AsyncIterable<Buffer>,
  signal?: AbortSignal,
  settings?: Readonly<OpusSettings>,
): AsyncGenerator<Buffer> {
  const encoder = new SpeechOpusEncoder(settings);
  try {
    for await (const chunk of abortable(pcm24kMono, signal)) {
      for (const packet of encoder.encode(chunk)) {
        signal?.throwIfAborted();
        yield packet;
      }
    }
    yield* encoder.finish();
  } finally {
    encoder.destroy();
  }
}
