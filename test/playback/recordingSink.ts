import { setTimeout as delay } from 'node:timers/promises';
import { toOpusPackets } from '../../src/audio/pipeline.ts';
import type { VoiceSink } from '../../src/playback/voiceSink.ts';

/** A packet the sink played, and when. */
export interface Played {
  at: number;
  packet: Buffer;
  /** Which `play` call it belonged to (0, 1, …). */
  stream: number;
}

/**
 * A VoiceSink that encodes and plays like Discord does — one 20 ms Opus packet per 20 ms, waiting (not ending) when
 * the source stalls — and records every packet with its time. It stands in for the voice connection in
 * playback tests; the real connection is exercised end to end against the loopback Discord.
 */
export class RecordingSink implements VoiceSink {
  readonly channelId: string;
  readonly played: Played[] = [];
  destroyed = false;
  #streams = 0;

  constructor(channelId = 'voice-1') {
    this.channelId = channelId;
  }

  async play(pcm24kMono: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void> {
    const stream = this.#streams++;
    let next = performance.now();
    const iterator = toOpusPackets(pcm24kMono)[Symbol.asyncIterator]();
    try {
      while (!signal.aborted) {
        const result = await Promise.race([iterator.next(), aborted(signal)]);
        if (result === 'aborted' || result.done) return;
        next = Math.max(next + 20, performance.now());
        this.played.push({ at: performance.now(), packet: result.value, stream });
        await delay(Math.max(0, next - performance.now()));
      }
    } finally {
      void iterator.return(undefined);
    }
  }

  destroy(): void {
    this.destroyed = true;
  }

  packetsOf(stream: number): Played[] {
    return this.played.filter((p) => p.stream === stream);
  }
}

function aborted(signal: AbortSignal): Promise<'aborted'> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve('aborted');
    signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
}
