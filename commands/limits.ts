/**
 * Limits shared by slash-command definitions and runtime checks.
 * @remarks Pure data: this module imports nothing from `src/`. DashScope's other models and limits are in
 * `src/dashscope/models.ts` and `src/dashscope/limits.ts`; sources are in ../shared/spec/dashscope.md §3–4.
 */

/** Languages a voice can be designed in: ISO codes, as the voice-design API takes them, to the realtime API's names. */
export const DESIGN_LANGUAGES = {
  zh: 'Chinese',
  en: 'English',
  de: 'German',
  it: 'Italian',
  pt: 'Portuguese',
  es: 'Spanish',
  ja: 'Japanese',
  ko: 'Korean',
  fr: 'French',
  ru: 'Russian',
} as const;
export type DesignLanguage = keyof typeof DESIGN_LANGUAGES;

/** `voice_prompt` (the description) may hold at most this many characters. */
export const VOICE_PROMPT_MAX_CHARS = 2048;
/** `preview_text` may hold at most this many characters. */
export const PREVIEW_TEXT_MAX_CHARS = 1024;
/**
 * `preview_text` shorter than this was seen rejected by the live service.
 * @remarks Third-party observation (spec §3), so the emulator makes it configurable.
 */
export const PREVIEW_TEXT_MIN_CHARS = 15;

/** A registry name: what members type to pick a voice. Letters, digits, space, `_`, `-`, `'`; 1–32 chars. */
export const REGISTRY_NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _'-]{0,31}$/u;
export const REGISTRY_NAME_MAX_CHARS = 32;

/** Longest text `/say` speaks, in characters; longer text is refused with a clear message. */
export const SAY_TEXT_MAX_CHARS = 1000;
/** Utterances waiting in one server's queue; more are refused (or counted as skipped in narration). */
export const QUEUE_MAX_UTTERANCES = 20;
/** Discord shows at most this many autocomplete choices. */
export const AUTOCOMPLETE_MAX_CHOICES = 25;

/** Narration: the longest message read aloud, in characters (a per-server setting); longer ones end in "and more". */
export const NARRATION_MAX_CHARS_MIN = 20;
export const NARRATION_MAX_CHARS_MAX = 1000;
export const NARRATION_MAX_CHARS_DEFAULT = 300;
/** Text channels one server may have read aloud at once. */
export const NARRATION_MAX_BINDINGS = 20;

/** Pronunciation dictionary: entries per server, and the length of a word and of its reading, in characters. */
export const DICTIONARY_MAX_ENTRIES = 200;
export const DICTIONARY_WORD_MAX_CHARS = 40;
export const DICTIONARY_READING_MAX_CHARS = 100;

/** Who is read: roles and members on a server's ignore list, together. */
export const NARRATION_IGNORE_MAX_ENTRIES = 100;
/** Members who opted out of being read, per server (kept most recent first when over). */
export const NARRATION_OPTOUT_MAX_ENTRIES = 5_000;
/** How a member's name is said (`/narrate nickname`): readings per server, and the length of one, in characters. */
export const NAME_READINGS_MAX_ENTRIES = 1_000;
export const NAME_READING_MAX_CHARS = 32;
/** `skip_prefix`: messages starting with it are not read; at most this many characters, no spaces. */
export const SKIP_PREFIX_MAX_CHARS = 8;
/** How a name is taken from Discord for narration (`name_source`). */
export const NAME_SOURCES = ['nickname', 'display_name', 'username'] as const;
export type NameSource = (typeof NAME_SOURCES)[number];
/**
 * Realtime speech settings (`session.update`, spec §1.4): speed and pitch as factors of the voice's own, volume
 * as DashScope's 0–100 scale. Unset, DashScope's defaults apply (1.0, 1.0, 50).
 */
export const SPEECH_RATE_MIN = 0.5;
export const SPEECH_RATE_MAX = 2;
export const PITCH_RATE_MIN = 0.5;
export const PITCH_RATE_MAX = 2;
export const VOLUME_MIN = 0;
export const VOLUME_MAX = 100;
