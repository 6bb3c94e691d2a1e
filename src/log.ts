import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/**
 * The bot's structured logger: JSON lines on stderr.
 * @remarks Fields that could carry secrets are censored whatever a caller passes; message text is logged at debug only.
 */
export function createLogger(level: LogLevel, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { app: 'voicebot' },
      redact: {
        paths: ['apiKey', 'token', '*.apiKey', '*.token', 'authorization', '*.authorization', 'headers.authorization'],
        censor: '[secret]',
      },
    },
    destination as pino.DestinationStream,
  );
}
