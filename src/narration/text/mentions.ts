import type { MentionNames } from './chatMessage.ts';
import type { Shelf } from './shelf.ts';

/** Read for a mention whose id the caller could not resolve. */
export const UNKNOWN_USER = 'someone';
export const UNKNOWN_ROLE = 'a role';
export const UNKNOWN_CHANNEL = 'a channel';

const USER = /<@!?(\d+)>/gu;
const ROLE = /<@&(\d+)>/gu;
const CHANNEL = /<#(\d+)>/gu;
/** Server guide / browse / customize links: `<id:guide>`. */
const GUILD_NAVIGATION = /<id:[\w:-]+>/gu;
/** Slash-command mentions: `</name sub:id>`. */
const COMMAND = /<\/([^:<>]+):\d+>/gu;
const EVERYONE = /@(everyone|here)\b/gu;
/** A typed `@name` that is not a real mention: the `@` is not read ("at"); emails keep theirs. */
const TYPED_AT = /(^|\s)@(?=[\p{L}\p{N}_])/gmu;

/**
 * Mentions read as names: users by display name, roles and channels by name, `@everyone` as "everyone".
 * @remarks Unknown ids read as "someone" / "a role" / "a channel" rather than digits. Names are shelved
 * so markdown rules leave a name like `__Bob__` alone; the dictionary still applies to them later.
 */
export function replaceMentions(text: string, names: MentionNames, shelf: Shelf): string {
  const name = (map: ReadonlyMap<string, string>, fallback: string) => (_: string, id: string) =>
    shelf.put(nonEmpty(map.get(id)) ?? fallback);
  return text
    .replace(USER, name(names.users, UNKNOWN_USER))
    .replace(ROLE, name(names.roles, UNKNOWN_ROLE))
    .replace(CHANNEL, name(names.channels, UNKNOWN_CHANNEL))
    .replace(GUILD_NAVIGATION, () => shelf.put(UNKNOWN_CHANNEL))
    .replace(COMMAND, (_, command: string) => shelf.put(`slash ${command.trim()}`))
    .replace(EVERYONE, '$1')
    .replace(TYPED_AT, '$1');
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
