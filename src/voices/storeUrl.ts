import { isAbsolute, resolve } from 'node:path';
import { invalidInput } from '../errors.ts';

/** The store URL forms {@link parseStoreUrl} accepts, for messages and docs. */
export const STORE_URL_FORMS =
  'sqlite://<file path> (e.g. sqlite://./data/voicebot.sqlite), redis://… or rediss://…, memory://';

/** Where a store lives, as parsed from its URL. */
export type StoreLocation =
  | { kind: 'memory' }
  | { kind: 'sqlite' /** Absolute file path. */; path: string }
  | { kind: 'redis'; url: string };

/**
 * Parses a store URL; relative SQLite paths resolve against `cwd`.
 * @remarks Everything after `sqlite://` is a file path taken literally (no host, no
 * percent-decoding), so `sqlite://./data/x.sqlite` and `sqlite:///var/lib/x.sqlite` both work.
 */
export function parseStoreUrl(storeUrl: string, cwd: string = process.cwd()): StoreLocation {
  const url = storeUrl.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'memory' && /^memory:(\/\/)?$/i.test(url)) return { kind: 'memory' };
  if (scheme === 'sqlite' && /^sqlite:\/\//i.test(url)) return sqliteLocation(url.slice('sqlite://'.length), cwd);
  if (scheme === 'redis' || scheme === 'rediss') return redisLocation(url);
  throw invalidInput(`Unsupported store URL "${redactUrl(url)}". Use one of: ${STORE_URL_FORMS}.`);
}

/**
 * The URL with any user name and password replaced by `***`, safe to print.
 * @remarks Unparseable input is reduced to its scheme, since it may still hold a secret.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    return `${parsed.protocol}//***@${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0];
    return scheme === undefined ? '(unparseable)' : `${scheme}…`;
  }
}

function sqliteLocation(path: string, cwd: string): StoreLocation {
  if (path === '' || path.endsWith('/')) {
    throw invalidInput(`A sqlite:// store URL needs a file path, e.g. sqlite://./data/voicebot.sqlite.`);
  }
  return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
}

function redisLocation(url: string): StoreLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput(`The Redis store URL "${redactUrl(url)}" is not a valid URL, e.g. redis://localhost:6379/0.`);
  }
  if (parsed.hostname === '') {
    throw invalidInput(`The Redis store URL "${redactUrl(url)}" names no host, e.g. redis://localhost:6379/0.`);
  }
  return { kind: 'redis', url };
}
