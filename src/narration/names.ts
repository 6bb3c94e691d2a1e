import type { NameSource } from '../../commands/limits.ts';
import type { NarrationSettings } from './settings.ts';

/** The names Discord gives a member or user, as narration may say them. */
export interface AuthorNames {
  /** The server nickname, if any. */
  nickname: string | null;
  /** The display (global) name, if any. */
  globalName: string | null;
  username: string;
}

/** The name taken from `names` for a `name_source`, falling back as Discord itself shows names. */
export function nameFrom(names: AuthorNames, source: NameSource): string {
  if (source === 'username') return names.username;
  if (source === 'display_name') return names.globalName ?? names.username;
  return names.nickname ?? names.globalName ?? names.username;
}

/**
 * The name said for an author: their `/narrate nickname` reading, else the name from the server's `name_source`,
 * else `fallback` (a webhook's name, which is the character or proxy it posts as).
 */
export function nameToSay(
  settings: Pick<NarrationSettings, 'nameReadings' | 'nameSource'>,
  userId: string,
  names: AuthorNames | undefined,
  fallback: string,
): string {
  const reading = Object.hasOwn(settings.nameReadings, userId) ? settings.nameReadings[userId] : undefined;
  if (reading !== undefined) return reading;
  return names === undefined ? fallback : nameFrom(names, settings.nameSource);
}
