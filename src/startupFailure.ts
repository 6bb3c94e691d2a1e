import { ConfigError, DEFAULTS } from './config.ts';
import { environment } from './env.ts';
import { UserError } from './errors.ts';
import { StoreError } from './voices/store.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Connection failures that mean "Discord could not be reached", by Node/undici error code. */
const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/**
 * What `npm start` or `npm run deploy` prints when it cannot start: one line per problem, each naming the
 * setting to fix; a stack only with `LOG_LEVEL=debug`.
 */
export function startupFailure(error: unknown, env: Env): string {
  const line = explain(error, env);
  const debug = env.LOG_LEVEL?.trim() === 'debug';
  if (debug && error instanceof Error && error.stack) return `${line}\n${error.stack}`;
  return line;
}

/** The environment with `./.env`, or the start-up failure an unreadable `.env` is. */
export function startupEnvironment(): Env {
  try {
    return environment();
  } catch (error) {
    return exitOnStartupFailure(error, process.env);
  }
}

/** Prints {@link startupFailure} on stderr and exits with 1. */
export function exitOnStartupFailure(error: unknown, env: Env): never {
  process.stderr.write(`${startupFailure(error, env)}\n`);
  process.exit(1);
}

function explain(error: unknown, env: Env): string {
  if (error instanceof ConfigError || error instanceof StoreError || error instanceof UserError) return error.message;
  const status = (error as { status?: unknown } | undefined)?.status;
  if (codeOf(error) === 'TokenInvalid' || status === 401) {
    return (
      'Discord refused DISCORD_TOKEN (401 Unauthorized): reset the token (Developer Portal → your application' +
      ' → Bot → Reset Token) and put it in .env.'
    );
  }
  const devGuild = env.DISCORD_DEV_GUILD_ID?.trim();
  if ((status === 403 || status === 404) && devGuild) {
    return (
      `Discord refused to register the commands in DISCORD_DEV_GUILD_ID=${devGuild} (${status}): invite the bot` +
      ' to that server with the applications.commands scope, or leave DISCORD_DEV_GUILD_ID empty.'
    );
  }
  const network = networkCode(error);
  if (network !== undefined) {
    const url = env.DISCORD_REST_URL?.trim() || DEFAULTS.DISCORD_REST_URL;
    const where = `Could not reach Discord at ${hostOf(url)} (${network})`;
    return `${where}: check the network connection, and DISCORD_REST_URL if it is set.`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Could not start: ${message.split('\n')[0]} (LOG_LEVEL=debug prints the details).`;
}

const codeOf = (error: unknown): unknown => (error as { code?: unknown } | undefined)?.code;

/** The first network error code along the error's `cause` chain (and inside an AggregateError). */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (!(error instanceof Error) || depth > 5) return undefined;
  const code = codeOf(error);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  const nested = error instanceof AggregateError ? error.errors : [];
  for (const inner of [error.cause, ...nested]) {
    const found = networkCode(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function hostOf(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url;
}
