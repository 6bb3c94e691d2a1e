/** The realtime `session` object: defaults, validation of `session.update`, and the echoed view (spec §1.4). */

/** Language names accepted by `language_type` (full English names, not ISO codes). */
export const LANGUAGE_TYPES = [
  'Auto',
  'Chinese',
  'English',
  'German',
  'Italian',
  'Portuguese',
  'Spanish',
  'Japanese',
  'Korean',
  'French',
  'Russian',
] as const;

/** Sample rates the emulator accepts; 22050 and 44100 appear only in SDK comments and are rejected. */
export const SAMPLE_RATES = [8_000, 16_000, 24_000, 48_000] as const;

/** Formats the real service documents but the emulator does not produce. */
const UNEMULATED_FORMATS = ['wav', 'mp3', 'opus'];

/** The session settings the emulator knows; unknown keys of `session.update` are ignored. */
export interface SessionConfig {
  voice: string;
  mode: 'server_commit' | 'commit';
  language_type: string;
  response_format: string;
  sample_rate: number;
  speech_rate?: number;
  volume?: number;
  pitch_rate?: number;
  bit_rate?: number;
  instructions?: string;
  optimize_instructions?: boolean;
  enable_tn?: boolean;
}

/** Defaults as `session.created` reports them. */
export function defaultSessionConfig(): SessionConfig {
  return { voice: 'Cherry', mode: 'server_commit', language_type: 'Auto', response_format: 'pcm', sample_rate: 24_000 };
}

interface Rule {
  check: (value: unknown) => boolean;
  expected: string;
}

const oneOf = (values: readonly unknown[]): Rule => ({
  check: (value) => values.includes(value),
  expected: values.map((v) => `'${String(v)}'`).join(', '),
});

const range = (min: number, max: number, integer: boolean): Rule => ({
  check: (value) =>
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    value <= max &&
    (!integer || Number.isInteger(value)),
  expected: `${integer ? 'an integer' : 'a number'} in [${min}, ${max}]`,
});

const ofType = (type: 'string' | 'boolean'): Rule => ({
  check: (value) => typeof value === type,
  expected: `a ${type}`,
});

const RULES: Record<keyof SessionConfig, Rule> = {
  voice: { check: (value) => typeof value === 'string' && value !== '', expected: 'a voice name' },
  mode: oneOf(['server_commit', 'commit']),
  language_type: oneOf(LANGUAGE_TYPES),
  response_format: oneOf(['pcm']),
  sample_rate: oneOf(SAMPLE_RATES),
  speech_rate: range(0.5, 2, false),
  volume: range(0, 100, true),
  pitch_rate: range(0.5, 2, false),
  bit_rate: range(6, 510, true),
  instructions: ofType('string'),
  optimize_instructions: ofType('boolean'),
  enable_tn: ofType('boolean'),
};

function isKnownKey(key: string): key is keyof SessionConfig {
  return Object.hasOwn(RULES, key);
}

function invalidMessage(key: string, value: unknown, expected: string): string {
  if (key === 'response_format' && UNEMULATED_FORMATS.includes(value as string)) {
    return `Invalid value: '${String(value)}'. The emulator produces only 'pcm'.`;
  }
  return (
    `Invalid value: ${JSON.stringify(value) ?? 'undefined'} for session.${key}. ` + `Supported values are: ${expected}.`
  );
}

/**
 * Merges `patch` into `current`, or says why it is invalid. Unknown keys are ignored.
 * @returns the merged config, or an `error.message` (code `invalid_value`).
 */
export function mergeSessionUpdate(current: SessionConfig, patch: unknown): SessionConfig | string {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return 'Invalid value: session must be an object.';
  }
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (!isKnownKey(key)) continue;
    const rule = RULES[key];
    if (!rule.check(value)) return invalidMessage(key, value, rule.expected);
    merged[key] = value;
  }
  return merged as unknown as SessionConfig;
}

/** The `session` object of `session.created` / `session.updated`. */
export function sessionView(id: string, model: string, config: SessionConfig): Record<string, unknown> {
  return { id, object: 'realtime.session', model, ...config };
}
