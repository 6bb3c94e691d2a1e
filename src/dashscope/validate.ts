import { invalidInput } from '../errors.ts';
import {
  DESIGN_LANGUAGES,
  type DesignLanguage,
  LIST_PAGE_INDEX_MAX,
  LIST_PAGE_SIZE_MAX,
  PREFERRED_NAME_PATTERN,
  PREVIEW_FORMATS,
  PREVIEW_SAMPLE_RATES,
  PREVIEW_TEXT_MAX_CHARS,
  PREVIEW_TEXT_MIN_CHARS,
  type PreviewFormat,
  type PreviewSampleRate,
  VOICE_PROMPT_MAX_CHARS,
} from './limits.ts';
import { TARGET_MODELS, type TargetModel } from './models.ts';

/** What a voice design asks for, before validation. */
export interface DesignRequest {
  description: string;
  previewText: string;
  preferredName: string;
  language?: string | undefined;
  targetModel?: string | undefined;
  sampleRate?: number | undefined;
  format?: string | undefined;
}

/** A design request that passed every documented limit. */
export interface ValidDesignRequest {
  description: string;
  previewText: string;
  preferredName: string;
  language: DesignLanguage;
  targetModel: TargetModel;
  sampleRate: PreviewSampleRate;
  format: PreviewFormat;
}

/** Code points, as DashScope counts characters. */
export const charCount = (text: string): number => [...text].length;

/**
 * Checks a design request against every documented limit, so invalid input never costs a paid call.
 * @throws UserError `invalid_input` naming every problem.
 */
export function validateDesign(req: DesignRequest, defaults: { targetModel: TargetModel }): ValidDesignRequest {
  const problems: string[] = [];
  const description = req.description.trim();
  const previewText = req.previewText.trim();
  if (description === '') problems.push('The description is empty: describe the voice in words.');
  if (charCount(description) > VOICE_PROMPT_MAX_CHARS)
    problems.push(
      `The description is ${charCount(description)} characters; DashScope allows at most ${VOICE_PROMPT_MAX_CHARS}.`,
    );
  const previewLength = charCount(previewText);
  if (previewLength < PREVIEW_TEXT_MIN_CHARS || previewLength > PREVIEW_TEXT_MAX_CHARS)
    problems.push(
      `The preview text is ${previewLength} characters; ` +
        `it must be ${PREVIEW_TEXT_MIN_CHARS} to ${PREVIEW_TEXT_MAX_CHARS}.`,
    );
  if (!PREFERRED_NAME_PATTERN.test(req.preferredName))
    problems.push(`The name "${req.preferredName}" must be 1–16 characters of A–Z, a–z, 0–9 or _.`);
  const language = pick(req.language ?? 'en', Object.keys(DESIGN_LANGUAGES) as DesignLanguage[], 'language', problems);
  const targetModel = pick(req.targetModel ?? defaults.targetModel, TARGET_MODELS, 'model', problems);
  const sampleRate = pick(req.sampleRate ?? 24_000, PREVIEW_SAMPLE_RATES, 'sample rate', problems);
  const format = pick(req.format ?? 'wav', PREVIEW_FORMATS, 'preview format', problems);
  if (problems.length > 0) throw invalidInput(problems.join('\n'));
  return { description, previewText, preferredName: req.preferredName, language, targetModel, sampleRate, format };
}

/** Checks `list` paging against the documented bounds. */
export function validatePage(pageIndex: number, pageSize: number): void {
  const problems: string[] = [];
  if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex > LIST_PAGE_INDEX_MAX)
    problems.push(`The page index must be a whole number from 0 to ${LIST_PAGE_INDEX_MAX}.`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > LIST_PAGE_SIZE_MAX)
    problems.push(`The page size must be a whole number from 1 to ${LIST_PAGE_SIZE_MAX}.`);
  if (problems.length > 0) throw invalidInput(problems.join('\n'));
}

/** Checks a DashScope voice id's shape, so a typo is not sent as a request. */
export function validateVoiceId(voiceId: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(voiceId)) throw invalidInput(`"${voiceId}" is not a DashScope voice id.`);
}

function pick<T extends string | number>(
  value: string | number,
  allowed: readonly T[],
  what: string,
  problems: string[],
): T {
  if ((allowed as readonly (string | number)[]).includes(value)) return value as T;
  problems.push(`Unknown ${what} "${value}": use one of ${allowed.join(', ')}.`);
  return allowed[0] as T;
}

/** A valid `preferred_name` derived from any name: ASCII letters, digits and `_`, at most 16. */
export function preferredNameFrom(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const slug = ascii
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 16)
    .replace(/_+$/, '');
  return slug === '' ? 'voice' : slug;
}
