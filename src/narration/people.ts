import {
  NAME_READING_MAX_CHARS,
  NAME_READINGS_MAX_ENTRIES,
  NARRATION_IGNORE_MAX_ENTRIES,
  NARRATION_OPTOUT_MAX_ENTRIES,
  SKIP_PREFIX_MAX_CHARS,
} from '../../commands/limits.ts';
import { invalidInput, UserError } from '../errors.ts';
import { objectOrEmpty } from '../voices/guildRecord.ts';

/** Who is read in a server, and how names are said: part of the narration settings record. */
export interface NarrationPeople {
  /** Roles whose members are not read. */
  ignoredRoles: string[];
  /** Members who are not read (set by Manage Server). */
  ignoredMembers: string[];
  /** Members who asked not to be read (`/narrate optout`). */
  optedOut: string[];
  /** Member id → how their name is said (`/narrate nickname`). */
  nameReadings: Record<string, string>;
}

/** Which ignore list an id is on. */
export type IgnoreKind = 'role' | 'member';

/** A Discord id (snowflake): 17–20 digits. */
const SNOWFLAKE = /^\d{17,20}$/u;
/** Control characters (line breaks, tabs): a reading is one line. */
const CONTROL = /\p{Cc}/u;
/** A skip prefix: visible characters, no spaces, no backticks (it is shown in a code span). */
const PREFIX = new RegExp(`^[^\\s\\p{Cc}\`]{1,${SKIP_PREFIX_MAX_CHARS}}$`, 'u');

/** Whether a stored value is a usable skip prefix. */
export function isSkipPrefix(value: unknown): value is string {
  return typeof value === 'string' && PREFIX.test(value);
}

/** Checks a new skip prefix; `none` (any case) or `null` turns it off. */
export function checkSkipPrefix(value: unknown): string | null {
  if (value === null || (typeof value === 'string' && value.trim().toLowerCase() === 'none')) return null;
  const prefix = typeof value === 'string' ? value.trim() : value;
  if (isSkipPrefix(prefix)) return prefix;
  throw invalidInput(
    `A skip prefix is 1 to ${SKIP_PREFIX_MAX_CHARS} characters without spaces or backticks, such as ! or //; ` +
      '“none” reads every message.',
  );
}

/** Checks and tidies a name reading: one line, 1–32 characters after trimming. */
export function checkNameReading(reading: string): string {
  const tidy = reading.normalize('NFC').trim().replace(/ {2,}/gu, ' ');
  const chars = [...tidy].length;
  if (chars === 0) throw invalidInput('The reading cannot be empty.');
  if (CONTROL.test(tidy)) throw invalidInput('A reading must be on one line.');
  if (chars > NAME_READING_MAX_CHARS)
    throw invalidInput(`A reading can have at most ${NAME_READING_MAX_CHARS} characters; that one has ${chars}.`);
  return tidy;
}

/** `people` with `id` added to (`add`) or taken off an ignore list. */
export function withIgnored<T extends NarrationPeople>(people: T, kind: IgnoreKind, id: string, add: boolean): T {
  const key = kind === 'role' ? 'ignoredRoles' : 'ignoredMembers';
  const list = people[key];
  if (add === list.includes(id)) {
    const label = mentionOf(kind, id);
    throw add
      ? new UserError('conflict', `${label} is already not read. See /narrate ignore list.`)
      : new UserError('not_found', `${label} is not on the ignore list. See /narrate ignore list.`);
  }
  const total = people.ignoredRoles.length + people.ignoredMembers.length;
  if (add && total >= NARRATION_IGNORE_MAX_ENTRIES) {
    throw new UserError(
      'quota_full',
      `The ignore list is full (${NARRATION_IGNORE_MAX_ENTRIES} roles and members); remove one first.`,
    );
  }
  return { ...people, [key]: add ? [...list, id] : list.filter((x) => x !== id) };
}

/** How a role or member is shown in a reply (a mention that never pings: replies allow none). */
export function mentionOf(kind: IgnoreKind, id: string): string {
  return kind === 'role' ? `<@&${id}>` : `<@${id}>`;
}

/** `people` with `userId` opted out (`out`) or back in; returns it unchanged when it already was. */
export function withOptOut<T extends NarrationPeople>(people: T, userId: string, out: boolean): T {
  if (out === people.optedOut.includes(userId)) return people;
  const optedOut = out ? [userId, ...people.optedOut] : people.optedOut.filter((x) => x !== userId);
  return { ...people, optedOut: optedOut.slice(0, NARRATION_OPTOUT_MAX_ENTRIES) };
}

/** `people` with `userId`'s name reading set, or removed with `undefined`. */
export function withNameReading<T extends NarrationPeople>(people: T, userId: string, reading: string | undefined): T {
  const { [userId]: _, ...others } = people.nameReadings;
  if (reading === undefined) return { ...people, nameReadings: others };
  if (Object.keys(others).length >= NAME_READINGS_MAX_ENTRIES) {
    throw new UserError(
      'quota_full',
      `This server has ${NAME_READINGS_MAX_ENTRIES} name readings, the most it can keep; remove one first.`,
    );
  }
  return { ...people, nameReadings: { ...others, [userId]: reading } };
}

/** Reads the stored lists, keeping well-formed entries only, at most the limits. */
export function parsePeople(doc: Record<string, unknown>): NarrationPeople {
  const ids = (value: unknown, max: number): string[] =>
    (Array.isArray(value) ? value : [])
      .filter((id): id is string => typeof id === 'string' && SNOWFLAKE.test(id))
      .slice(0, max);
  const readings = Object.entries(objectOrEmpty(doc.nameReadings)).filter(
    (e): e is [string, string] => SNOWFLAKE.test(e[0]) && typeof e[1] === 'string' && isReading(e[1]),
  );
  const roles = ids(doc.ignoredRoles, NARRATION_IGNORE_MAX_ENTRIES);
  return {
    ignoredRoles: roles,
    ignoredMembers: ids(doc.ignoredMembers, NARRATION_IGNORE_MAX_ENTRIES - roles.length),
    optedOut: ids(doc.optedOut, NARRATION_OPTOUT_MAX_ENTRIES),
    nameReadings: Object.fromEntries(readings.slice(0, NAME_READINGS_MAX_ENTRIES)),
  };
}

function isReading(value: string): boolean {
  try {
    return checkNameReading(value) === value;
  } catch {
    return false;
  }
}
