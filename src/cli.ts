#!/usr/bin/env node
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

const HELP = `voicebot: design character voices with DashScope and keep them in a server's registry, without Discord.

Usage:
  voicebot design --description TEXT --preview-text TEXT [--name NAME] [--as NAME] [--out FILE.wav] ...
  voicebot voices list|show|delete|sync ...
  voicebot say --voice NAME --out FILE(.ogg|.wav) [TEXT]
  voicebot usage [--guild ID] [--json]

Run "voicebot <command> --help" for a command's options.
Reads DASHSCOPE_API_KEY, DASHSCOPE_BASE_URL, DASHSCOPE_REALTIME_URL and STORE_URL from the environment or ./.env.
Exit codes: 0 success, 2 invalid input (nothing was sent), 1 any other failure.`;

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
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.out(HELP);
    return name === undefined ? EXIT.invalidInput : EXIT.ok;
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
    return report(error, output);
  } finally {
    await ctx.close();
  }
}

function report(error: unknown, output: Output): number {
  if (error instanceof ConfigError) {
    output.err(error.message);
    return EXIT.invalidInput;
  }
  if (error instanceof UserError) {
    output.err(`error: ${error.message}`);
    // Nothing was sent for a bad option or a name that resolves to nothing.
    return error.reason === 'invalid_input' || error.reason === 'not_found' ? EXIT.invalidInput : EXIT.failure;
  }
  if (error instanceof DashScopeError) {
    output.err(`error: ${error.message}`);
    output.err(
      `dashscope: code=${error.code} status=${error.status}${error.requestId ? ` request_id=${error.requestId}` : ''}`,
    );
    return EXIT.failure;
  }
  output.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.failure;
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2), environment(), processOutput);
}
