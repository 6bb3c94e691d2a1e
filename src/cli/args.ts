import { type ParseArgsConfig, parseArgs } from 'node:util';
import { invalidInput } from '../errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Parsed command line: named values and positionals. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** What a command accepts, and the name its `--help` goes by in messages (`design`, `voices list`). */
export interface Grammar {
  command: string;
  options: Options;
  maxPositionals: number;
  /** False when the command has no JSON output: `--json` is then refused. */
  json?: boolean;
}

/**
 * Parses `argv` strictly against the grammar.
 * @throws UserError `invalid_input` naming the offending option and pointing at the command's `--help`.
 */
export function parse(argv: string[], grammar: Grammar): Parsed {
  const { command, options, maxPositionals } = grammar;
  const help = `See "voicebot ${command} --help".`;
  const args = { args: argv, options, allowPositionals: true, strict: false, tokens: true } as const;
  const { values, positionals, tokens } = parseArgs(args);
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    const name = token.rawName;
    if (option === undefined) throw invalidInput(`Unknown option ${name} for "voicebot ${command}". ${help}`);
    if (option.type === 'string' && token.value === undefined) throw invalidInput(`${name} needs a value. ${help}`);
    if (option.type === 'boolean' && token.inlineValue) throw invalidInput(`${name} takes no value. ${help}`);
  }
  const extra = positionals[maxPositionals];
  if (extra !== undefined) throw invalidInput(`Unexpected argument "${extra}". ${help}`);
  if (grammar.json === false && values.json !== undefined) {
    throw invalidInput(`"voicebot ${command}" has no JSON output, so --json does not apply.`);
  }
  return { values: values as Parsed['values'], positionals };
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

/** How messages name a guild scope: `guild "123…"`, or `the local scope` for {@link LOCAL_GUILD}. */
export const scopeName = (guildId: string): string =>
  guildId === LOCAL_GUILD ? `the "${LOCAL_GUILD}" scope (no --guild given)` : `guild "${guildId}"`;

/** A command named without its subcommand: its usage goes to stderr and the exit code is 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
