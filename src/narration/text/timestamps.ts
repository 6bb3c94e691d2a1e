import type { Shelf } from './shelf.ts';

/** Read for a timestamp that cannot be given exactly to every listener. */
export const SOME_TIME = 'a time';

/** `<t:seconds>` or `<t:seconds:style>`; style `R` is relative. */
const TIMESTAMP = /<t:(-?\d{1,13})(?::([tTdDfFR]))?>/gu;
const SECOND_MS = 1_000;
/** Relative-time units, largest first, with their length in milliseconds. */
const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3_600_000],
  ['month', 30 * 24 * 3_600_000],
  ['week', 7 * 24 * 3_600_000],
  ['day', 24 * 3_600_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', SECOND_MS],
];
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * Timestamps: relative ones (`<t:…:R>`) read as "in 5 minutes" / "2 days ago", the others as "a time".
 * @remarks Discord shows absolute timestamps in each viewer's own time zone; a voice channel is one
 * audience in many zones, so any clock time the bot read would be wrong for some listeners. A
 * relative time is the same for everyone.
 */
export function replaceTimestamps(text: string, nowMs: number, shelf: Shelf): string {
  return text.replace(TIMESTAMP, (_, seconds: string, style?: string) =>
    shelf.put(style === 'R' ? relativeTime(Number(seconds) * SECOND_MS - nowMs) : SOME_TIME),
  );
}

/** "in 3 hours", "yesterday", "now" for an offset from now in milliseconds. */
export function relativeTime(offsetMs: number): string {
  if (!Number.isFinite(offsetMs)) return SOME_TIME;
  const size = Math.abs(offsetMs);
  const [unit, unitMs] = UNITS.find(([, ms]) => size >= ms) ?? ['second', SECOND_MS];
  return RELATIVE.format(Math.round(offsetMs / unitMs), unit);
}
