import { type ParseArgsConfig, parseArgs } from 'node:util';
import { invalidInput } from '../errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed command line: named values and positionals. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` strictly against `options`.
 * @throws UserError `invalid_input` with node's own explanation (unknown option, missing value).
 */
export function parse(argv: string[], options: Options, maxPositionals: number): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (positionals.length > maxPositionals)
      throw invalidInput(`Unexpected argument "${positionals[maxPositionals]}".`);
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      throw invalidInput(error.message);
    throw error;
  }
}

/** A string option's value, or undefined. */
export const text = (parsed: Parsed, key: string): string | undefined => {
  const value = parsed.values[key];
  return typeof value === 'string' ? value : undefined;
};

/** A required string option. */
export function required(parsed: Parsed, key: string): string {
  const value = text(parsed, key);
  if (value === undefined || value.trim() === '') throw invalidInput(`--${key} is required.`);
  return value;
}

export const flag = (parsed: Parsed, key: string): boolean => parsed.values[key] === true;

/** Options every command shares. */
export const COMMON: Options = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  guild: { type: 'string' },
};

/** The guild scope used when `--guild` is absent: voices designed from the command line. */
export const LOCAL_GUILD = 'local';
