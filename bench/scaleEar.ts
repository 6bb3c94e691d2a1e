/**
 * What one listening member heard in `bench/scale.ts`: packet timing against the RTP clock, gaps, and
 * the audio's length. Packets are drained from the emulator's record as they arrive, so memory stays flat.
 */
import type { VoicePacket } from '../test/emulators/discord/voiceRecord.ts';

/** A frame is late when it arrives this much after its slot on the RTP clock, ms. */
export const LATE_MS = 40;
const RTP_TICKS_PER_MS = 48;

/** One guild's listener. */
export class Ear {
  /** When the utterance was asked for (`performance.now()`). */
  readonly askedAt: number;
  firstAudioAt: number | undefined;
  lastPacketAt: number | undefined;
  audioFrames = 0;
  /** Runs of silence frames between two audio frames: @discordjs/voice plays silence while the stream stalls. */
  gaps = 0;
  /** Arrival minus RTP slot, ms, for every audio frame (the base is subtracted at the end). */
  readonly #offsets: number[] = [];
  readonly #arrivals: number[] = [];
  #ts0: number | undefined;
  #inSilence = false;

  constructor(askedAt: number) {
    this.askedAt = askedAt;
  }

  take(packets: readonly VoicePacket[]): void {
    for (const packet of packets) this.#hear(packet);
  }

  /** Late frames per second since the utterance was asked for (for SCALE_DEBUG). */
  lateBySecond(): number[] {
    const base = Math.min(...this.#offsets);
    const bySecond: number[] = [];
    for (const [i, offset] of this.#offsets.entries()) {
      if (offset - base <= LATE_MS) continue;
      const second = Math.floor(((this.#arrivals[i] ?? 0) - this.askedAt) / 1000);
      bySecond[second] = (bySecond[second] ?? 0) + 1;
    }
    return bySecond;
  }

  /** Frames more than {@link LATE_MS} late and the worst lateness, against the best-timed frame. */
  lateness(): { late: number; worstMs: number } {
    if (this.#offsets.length === 0) return { late: 0, worstMs: 0 };
    const base = Math.min(...this.#offsets);
    let late = 0;
    let worstMs = 0;
    for (const offset of this.#offsets) {
      const ms = offset - base;
      if (ms > LATE_MS) late += 1;
      worstMs = Math.max(worstMs, ms);
    }
    return { late, worstMs };
  }

  #hear(packet: VoicePacket): void {
    this.lastPacketAt = packet.receivedAt;
    if (packet.silence) {
      if (this.audioFrames > 0) this.#inSilence = true;
      return;
    }
    if (this.#inSilence) this.gaps += 1;
    this.#inSilence = false;
    this.firstAudioAt ??= packet.receivedAt;
    this.#ts0 ??= packet.timestamp;
    this.audioFrames += 1;
    const slotMs = ((packet.timestamp - this.#ts0) >>> 0) / RTP_TICKS_PER_MS;
    this.#offsets.push(packet.receivedAt - this.firstAudioAt - slotMs);
    this.#arrivals.push(packet.receivedAt);
  }
}
