/**
 * DashScope's documented limits: voice design, listing, the account quota and synthesis requests.
 * @remarks Sources are in ../shared/spec/dashscope.md §1–4. The limits a slash command shows (languages,
 * description and preview-text lengths) live in `commands/limits.ts`, which may import nothing from `src/`;
 * they are re-exported here so the client has one place to read every limit from.
 */
export {
  DESIGN_LANGUAGES,
  type DesignLanguage,
  PREVIEW_TEXT_MAX_CHARS,
  PREVIEW_TEXT_MIN_CHARS,
  VOICE_PROMPT_MAX_CHARS,
} from '../../commands/limits.ts';

/** Preview-audio sample rates (Hz) and formats the voice-design API accepts. */
export const PREVIEW_SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;
export type PreviewSampleRate = (typeof PREVIEW_SAMPLE_RATES)[number];
export const PREVIEW_FORMATS = ['wav', 'pcm', 'mp3', 'opus'] as const;
export type PreviewFormat = (typeof PREVIEW_FORMATS)[number];

/** DashScope's `preferred_name`: the readable part of a designed voice's id. */
export const PREFERRED_NAME_PATTERN = /^[A-Za-z0-9_]{1,16}$/;

/** `list` paging: `page_index` range and the page size this client uses. */
export const LIST_PAGE_INDEX_MAX = 200;
export const LIST_PAGE_SIZE_MAX = 100;

/** Voices one DashScope account may hold, shared by every server. */
export const ACCOUNT_VOICE_QUOTA = 1000;

/** Longest text per generation (HTTP) request, in code points (spec §2: 600 for qwen3-tts-flash, applied to -vd). */
export const GENERATION_MAX_CHARS = 600;
