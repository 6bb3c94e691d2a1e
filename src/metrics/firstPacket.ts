import type { JoinVoice, VoiceSink } from '../playback/voiceSink.ts';

/**
 * Wraps `join` so that `onFirstPacket(guildId)` runs when each played stream hands its first Opus packet to
 * the voice connection (the `/say` → first packet latency ends there).
 */
export function observeFirstPacket(join: JoinVoice, onFirstPacket: (guildId: string) => void): JoinVoice {
  return async (guildId, channelId, onGone) => {
    const sink = await join(guildId, channelId, onGone);
    const observed: VoiceSink = {
      play: (packets, signal) =>
        sink.play(
          firstObserved(packets, () => onFirstPacket(guildId)),
          signal,
        ),
      destroy: () => sink.destroy(),
    };
    return observed;
  };
}

/** The same packets; `onFirst` runs as the first one is taken. Ending early ends the source too (`for await`). */
async function* firstObserved(packets: AsyncIterable<Buffer>, onFirst: () => void): AsyncGenerator<Buffer> {
  let first = true;
  for await (const packet of packets) {
    if (first) {
      first = false;
      onFirst();
    }
    yield packet;
  }
}
