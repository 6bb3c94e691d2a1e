import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { ConfigError } from './config.ts';

/**
 * The process environment, with `./.env` filling in what it does not set.
 * @remarks Node's own `parseEnv` reads the file, so no dotenv dependency; `loadConfig` stays the only reader of the
 * keys.
 */
export function environment(path = '.env'): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw new ConfigError([`${path} could not be read (${code ?? String(error)}): fix or remove it.`]);
  }
  return { ...fromFile, ...process.env };
}
