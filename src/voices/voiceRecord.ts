import { remove as removeConfusables } from 'confusables';
import { DESIGN_LANGUAGES, REGISTRY_NAME_MAX_CHARS, REGISTRY_NAME_PATTERN } from '../../commands/limits.ts';
import { TARGET_MODELS } from '../dashscope/models.ts';
import type { CharacterVoice } from './characterVoice.ts';
import { isDefaultTuning, parseTuning } from './speechTuning.ts';

/** Longest DashScope voice id the registry accepts, in characters. */
export const VOICE_ID_MAX_CHARS = 256;

/**
 * The display form of a registry name: NFKC, trimmed, inner whitespace collapsed to one space.
 * @remarks NFKC folds full-width and compatibility forms, so `ＢＯＢ` and `BOB` are one name.
 */
export function normalizeName(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/gu, ' ');
}

/**
 * The comparison form of a registry name: {@link normalizeName}, then its confusable skeleton, lower case.
 * @remarks Two names that look alike are one name: Latin "Ada" and Cyrillic "Аda", "Zoë" and "Zoe" (the
 * `confusables` package's tables, after Unicode's confusables of UTS #39). Scripts without Latin look-alikes,
 * such as Chinese, Japanese and Korean, are kept as written.
 */
export function nameKey(raw: string): string {
  const name = normalizeName(raw);
  const skeleton = removeConfusables(name).toLowerCase();
  return skeleton === '' ? name.toLowerCase() : skeleton;
}

/** Why a (normalized) registry name is not acceptable, or `undefined` when it is. */
export function nameProblem(name: string): string | undefined {
  const chars = [...name];
  if (chars.length === 0) return 'A voice name cannot be empty.';
  if (chars.length > REGISTRY_NAME_MAX_CHARS) {
    return `A voice name can have at most ${REGISTRY_NAME_MAX_CHARS} characters; that one has ${chars.length}.`;
  }
  if (REGISTRY_NAME_PATTERN.test(name)) return undefined;
  if (!/^[\p{L}\p{N}]/u.test(name)) return 'A voice name must start with a letter or a digit.';
  const bad = chars.find((c) => !/^[\p{L}\p{N} _'-]$/u.test(c)) ?? '';
  return `A voice name may only contain letters, digits, spaces, _, - and '; "${bad}" is not allowed.`;
}

/** Outcome of checking a stored or incoming value against the `CharacterVoice` shape. */
export type ParsedVoice = { ok: true; voice: CharacterVoice } | { ok: false; problem: string };

/**
 * Checks that `value` is a well-formed `CharacterVoice` and returns a clean copy.
 * @remarks Used both on input and on every value read back, because the store may hold values
 * written by older versions, other programs or hand edits.
 */
export function parseVoice(value: unknown): ParsedVoice {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'not an object' };
  }
  const v = value as Record<string, unknown>;
  const problem = fieldProblem(v);
  if (problem !== undefined) return { ok: false, problem };
  const voice: CharacterVoice = {
    name: v.name as string,
    voiceId: v.voiceId as string,
    targetModel: v.targetModel as CharacterVoice['targetModel'],
    description: v.description as string,
    language: v.language as CharacterVoice['language'],
    createdBy: v.createdBy as string,
    createdAt: v.createdAt as number,
  };
  // Tolerant: settings out of range (a hand edit, an older range) are clamped, not a reason to drop the voice.
  const tuning = parseTuning(v.tuning);
  if (!isDefaultTuning(tuning)) voice.tuning = tuning;
  return { ok: true, voice };
}

function fieldProblem(v: Record<string, unknown>): string | undefined {
  if (typeof v.name !== 'string') return 'name is not a string';
  if (v.name !== normalizeName(v.name)) return 'name is not normalized';
  const bad = nameProblem(v.name);
  if (bad !== undefined) return `name: ${bad}`;
  if (!isText(v.voiceId, VOICE_ID_MAX_CHARS) || /\s/u.test(v.voiceId)) return 'voiceId is not a voice id';
  if (!(TARGET_MODELS as readonly unknown[]).includes(v.targetModel)) return 'targetModel is not a known model';
  if (typeof v.description !== 'string') return 'description is not a string';
  if (typeof v.language !== 'string' || !Object.hasOwn(DESIGN_LANGUAGES, v.language)) {
    return 'language is not a design language';
  }
  if (!isText(v.createdBy, 64)) return 'createdBy is not an id';
  if (typeof v.createdAt !== 'number' || !Number.isSafeInteger(v.createdAt) || v.createdAt < 0) {
    return 'createdAt is not a Unix millisecond time';
  }
  return undefined;
}

function isText(value: unknown, maxChars: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxChars;
}
