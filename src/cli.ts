#!/usr/bin/env node
import { UsageError } from './cli/args.ts';
import { cliContext } from './cli/context.ts';
import { design } from './cli/design.ts';
import { type Output, processOutput } from './cli/output.ts';
import { say } from './cli/say.ts';
import { usage } from './cli/usage.ts';
import { voices } from './cli/voices.ts';
import { ConfigError } from './config.ts';
import { DashScopeError } from './dashscope/errors.ts';
import { environment } from './env.ts';
import { UserError } from './errors.ts';
import { StoreError } from './voices/store.ts';
import { isStoreUnavailable } from './voices/storeFault.ts';

const HELP = `voicebot: design character voices with DashScope and keep them in a guild's registry, without Discord.

Usage:
  voicebot design --description TEXT --preview-text TEXT [--name NAME] [--as NAME] [--out FILE.wav] ...
  voicebot voices list|show|delete|sync ...
  voicebot say --voice NAME --out FILE(.ogg|.wav) [TEXT]
  voicebot usage [--guild ID] [--json]

Run "voicebot <command> --help" for a command's options.
Without --guild, voices live in the "local" scope; --guild ID uses that Discord guild's registry.
Reads DASHSCOPE_API_KEY, DASHSCOPE_BASE_URL, DASHSCOPE_REALTIME_URL and STORE_URL from the environment or ./.env.
Exit codes: 0 success, 2 invalid input or usage (nothing was sent), 1 any other failure.
LOG_LEVEL=debug prints the stack of an unexpected error.`;

/** Exit codes of the CLI contract. */
export const EXIT = { ok: 0, failure: 1, invalidInput: 2 } as const;

type Command = (argv: string[], ctx: ReturnType<typeof cliContext>, output: Output) => Promise<void>;
const COMMANDS: Readonly<Record<string, Command>> = { design, voices, say, usage };

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function runCli(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
  output: Output,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    output.out(HELP);
    return EXIT.ok;
  }
  if (name === undefined) {
    output.err(`voicebot needs a command.\n\n${HELP}`);
    return EXIT.invalidInput;
  }
  const command = COMMANDS[name];
  if (!command) {
    output.err(`Unknown command "${name}".\n\n${HELP}`);
    return EXIT.invalidInput;
  }
  const ctx = cliContext(env);
  try {
    await command(rest, ctx, output);
    return EXIT.ok;
  } catch (error) {
    return report(error, output, env.LOG_LEVEL?.trim() === 'debug');
  } finally {
    await ctx.close();
  }
}

function report(error: unknown, output: Output, debug: boolean): number {
  if (error instanceof UsageError) {
    output.err(error.message);
    return EXIT.invalidInput;
  }
  if (error instanceof ConfigError) {
    output.err(error.message);
    return EXIT.invalidInput;
  }
  if (error instanceof UserError) {
    output.err(`error: ${error.message}`);
    // Nothing was sent for a bad option or a name that resolves to nothing.
    return error.reason === 'invalid_input' || error.reason === 'not_found' ? EXIT.invalidInput : EXIT.failure;
  }
  if (error instanceof StoreError) {
    output.err(`error: ${error.message}`);
    return EXIT.failure;
  }
  if (isStoreUnavailable(error)) {
    output.err(
      `error: the store is unavailable (${error instanceof Error ? error.message : String(error)}); try again.`,
    );
    return EXIT.failure;
  }
  if (error instanceof DashScopeError) {
    output.err(`error: ${error.message}`);
    output.err(
      `dashscope: code=${error.code} status=${error.status}${error.requestId ? ` request_id=${error.requestId}` : ''}`,
    );
    return EXIT.failure;
  }
  const detail = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
  output.err(`error: ${detail}${debug ? '' : ' (LOG_LEVEL=debug shows where)'}`);
  return EXIT.failure;
}

if (import.meta.main) {
  try {
    process.exitCode = await runCli(process.argv.slice(2), environment(), processOutput);
  } catch (error) {
    // Only reading ./.env can throw here (a ConfigError naming it).
    processOutput.err(error instanceof Error ? error.message : String(error));
    process.exitCode = EXIT.invalidInput;
  }
}
