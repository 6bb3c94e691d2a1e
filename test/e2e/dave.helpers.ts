/**
 * Measuring what DAVE listeners heard, in RTP time and frame counts (never wall clock).
 */
import type { ListenerRecord, VoicePacket } from '../emulators/discord/server.ts';

/** Counters of a listener, to diff before/after a step. */
export interface ListenerCounts {
  packets: number;
  received: number;
  decrypted: number;
  passthrough: number;
  failed: number;
}

/** A snapshot of `record`'s counters. */
export function countsOf(record: ListenerRecord | undefined): ListenerCounts {
  return {
    packets: record?.packets.length ?? 0,
    received: record?.received ?? 0,
    decrypted: record?.decrypted ?? 0,
    passthrough: record?.passthrough ?? 0,
    failed: record?.failed ?? 0,
  };
}

/** What changed since `before`: the packets heard and the counter deltas. */
export function heardSince(record: ListenerRecord, before: ListenerCounts): ListenerCounts & { audio: VoicePacket[] } {
  const now = countsOf(record);
  return {
    packets: now.packets - before.packets,
    received: now.received - before.received,
    decrypted: now.decrypted - before.decrypted,
    passthrough: now.passthrough - before.passthrough,
    failed: now.failed - before.failed,
    audio: record.packets.slice(before.packets).filter((p) => !p.silence),
  };
}

/** One line of figures for the closing note (frames sent vs frames decrypted). */
export function figures(test: string, parts: Record<string, unknown>): void {
  const replacer = (key: string, value: unknown): unknown =>
    key === 'audio' && Array.isArray(value) ? value.length : value;
  console.log(`[dave-figures] ${test}: ${JSON.stringify(parts, replacer)}`);
}

/** RTP sequence numbers missing between the first and the last packet (sent by the bot, never heard). */
export function sequenceGaps(packets: readonly VoicePacket[]): number {
  let missing = 0;
  for (let i = 1; i < packets.length; i++) missing += ((packets[i]!.sequence - packets[i - 1]!.sequence) & 0xffff) - 1;
  return missing;
}
