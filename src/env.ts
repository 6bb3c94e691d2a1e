import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/**
 * The process environment, with `./.env` filling in what it does not set.
 * @remarks Node's own `parseEnv` reads the file, so no dotenv dependency; `loadConfig` stays the only reader of the keys.
 */
export function environment(path = '.env'): Record<string, string | undefined> {
  let fromFile: Record<string, string> = {};
  try {
    fromFile = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { ...fromFile, ...process.env };
}
