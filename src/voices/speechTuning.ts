/**
 * Speed, pitch and volume of speech: their ranges, validation of what members type, and the effective value
 * of each (member > voice > server > DashScope's default).
 * @remarks Pure: no I/O. The ranges are DashScope's documented ones for `session.update` (spec §1.4).
 */
import {
  PITCH_RATE_MAX,
  PITCH_RATE_MIN,
  SPEECH_RATE_MAX,
  SPEECH_RATE_MIN,
  VOLUME_MAX,
  VOLUME_MIN,
} from '../../commands/limits.ts';
import type { SpeechTuning } from '../dashscope/realtime/protocol.ts';
import { invalidInput } from '../errors.ts';

export type { SpeechTuning } from '../dashscope/realtime/protocol.ts';

export type TuningField = keyof SpeechTuning;

interface Limit {
  min: number;
  max: number;
  integer: boolean;
  /** What members see it called. */
  label: string;
}

/** Each setting's documented range and name. */
export const TUNING_LIMITS: Readonly<Record<TuningField, Limit>> = Object.freeze({
  speechRate: { min: SPEECH_RATE_MIN, max: SPEECH_RATE_MAX, integer: false, label: 'Speed' },
  pitchRate: { min: PITCH_RATE_MIN, max: PITCH_RATE_MAX, integer: false, label: 'Pitch' },
  volume: { min: VOLUME_MIN, max: VOLUME_MAX, integer: true, label: 'Volume' },
});

const FIELDS = Object.keys(TUNING_LIMITS) as TuningField[];

/** Factors are kept to two decimals, so equal settings make equal session keys. */
const round = (value: number, integer: boolean): number =>
  integer ? Math.round(value) : Math.round(value * 100) / 100;

/** Why `value` is not acceptable for `field`, or `undefined` when it is. */
export function tuningProblem(field: TuningField, value: number): string | undefined {
  const { min, max, integer, label } = TUNING_LIMITS[field];
  if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))) return undefined;
  const kind = integer ? 'a whole number' : 'a number';
  return `${label} must be ${kind} from ${min} to ${max} (got ${String(value)}).`;
}

/**
 * Checks values a member typed; `undefined` or `null` fields are left out.
 * @throws UserError `invalid_input` naming every value out of range, so nothing is changed.
 */
export function checkTuning(input: Partial<Record<TuningField, number | null | undefined>>): SpeechTuning {
  const out: SpeechTuning = {};
  const problems: string[] = [];
  for (const field of FIELDS) {
    const value = input[field];
    if (value === undefined || value === null) continue;
    const problem = tuningProblem(field, value);
    if (problem === undefined) out[field] = round(value, TUNING_LIMITS[field].integer);
    else problems.push(problem);
  }
  if (problems.length > 0) throw invalidInput(`${problems.join(' ')} Nothing was changed.`);
  return out;
}

/** `value` clamped into `field`'s range, or `undefined` when it is not a number at all. */
export function clampField(field: TuningField, value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const { min, max, integer } = TUNING_LIMITS[field];
  return round(Math.min(max, Math.max(min, value)), integer);
}

/** A stored value read tolerantly: numbers clamped into range, anything else dropped. */
export function parseTuning(value: unknown): SpeechTuning {
  const doc = value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const out: SpeechTuning = {};
  for (const field of FIELDS) {
    const clamped = clampField(field, doc[field]);
    if (clamped !== undefined) out[field] = clamped;
  }
  return out;
}

/** Where each setting may come from, highest precedence first. */
export interface TuningLayers {
  /** The member's own speed for their own voice (`/voice use name speed`). */
  memberSpeed?: number | undefined;
  /** The voice's defaults (`/voice tune`). */
  voice?: SpeechTuning | undefined;
  /** The server's narration speed (`/narrate settings speed`). */
  serverSpeed?: number | undefined;
}

/** The settings an utterance is spoken with: member > voice > server > DashScope's default, clamped. */
export function effectiveTuning(layers: TuningLayers): SpeechTuning {
  const out: SpeechTuning = {};
  const speed = clampField('speechRate', layers.memberSpeed ?? layers.voice?.speechRate ?? layers.serverSpeed);
  if (speed !== undefined) out.speechRate = speed;
  const pitch = clampField('pitchRate', layers.voice?.pitchRate);
  if (pitch !== undefined) out.pitchRate = pitch;
  const volume = clampField('volume', layers.voice?.volume);
  if (volume !== undefined) out.volume = volume;
  return out;
}

/** Whether no setting is given. */
export function isDefaultTuning(tuning: SpeechTuning | undefined): boolean {
  return tuning === undefined || FIELDS.every((field) => tuning[field] === undefined);
}

/** A short description for replies, e.g. `speed 1.25×, volume 70`, or `DashScope’s defaults`. */
export function describeTuning(tuning: SpeechTuning | undefined): string {
  const parts: string[] = [];
  if (tuning?.speechRate !== undefined) parts.push(`speed ${tuning.speechRate}×`);
  if (tuning?.pitchRate !== undefined) parts.push(`pitch ${tuning.pitchRate}×`);
  if (tuning?.volume !== undefined) parts.push(`volume ${tuning.volume}`);
  return parts.length === 0 ? 'DashScope’s defaults' : parts.join(', ');
}
