import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/**
 * Interaction and webhook tokens in Discord URLs (`/interactions/<id>/<token>/callback`, `/webhooks/<app>/<token>`):
 * whoever holds one may answer as the bot for 15 minutes.
 */
const URL_TOKEN = /(\/(?:interactions|webhooks)\/\d+\/)[\w.-]{20,}/gu;
/** Credentials in `Authorization` values that reached a message or a stack (`Bot …`, `Bearer …`). */
const AUTH_VALUE = /\b(Bot|Bearer) [\w.-]{16,}/gu;

/** `line` with every token it carries censored, wherever it appears (URLs, messages, stacks). */
export function redactTokens(line: string): string {
  return line.replace(URL_TOKEN, '$1[secret]').replace(AUTH_VALUE, '$1 [secret]');
}

/**
 * The bot's structured logger: JSON lines on stderr.
 * @remarks Fields that could carry secrets are censored whatever a caller passes, and every line is scanned
 * for interaction and webhook tokens (a failed callback's `err.url` carries one); message text is logged at
 * debug only.
 */
export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { app: 'voicebot' },
      redact: {
        paths: [
          'apiKey',
          'token',
          '*.apiKey',
          '*.token',
          'authorization',
          '*.authorization',
          'headers.authorization',
          '*.headers.authorization',
          'err.requestBody',
        ],
        censor: '[secret]',
      },
      hooks: { streamWrite: redactTokens },
    },
    destination as pino.DestinationStream,
  );
}
