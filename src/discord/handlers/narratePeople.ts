import { NARRATION_IGNORE_MAX_ENTRIES } from '../../../commands/limits.ts';
import { invalidInput } from '../../errors.ts';
import {
  checkNameReading,
  type IgnoreKind,
  mentionOf,
  withIgnored,
  withNameReading,
  withOptOut,
} from '../../narration/people.ts';
import type { Handler } from '../app.ts';
import { bySubcommand } from '../components.ts';
import { assertManagesServer } from '../permissions.ts';
import { plain, respond } from '../reply.ts';

/**
 * `/narrate nickname [reading] [member]`: how a member's name is said; without a reading, as written again.
 * @remarks A member sets their own; setting someone else's needs Manage Server.
 */
export const nickname: Handler = async (interaction, app) => {
  const target = interaction.options.getUser('member') ?? interaction.user;
  const self = target.id === interaction.user.id;
  if (!self) assertManagesServer(interaction, 'Setting how another member’s name is said');
  const given = interaction.options.getString('reading');
  const reading = given === null ? undefined : checkNameReading(given);
  let had: string | undefined;
  await app.narration.settings.change(interaction.guildId, (current) => {
    had = Object.hasOwn(current.nameReadings, target.id) ? current.nameReadings[target.id] : undefined;
    return withNameReading(current, target.id, reading);
  });
  const whose = self ? 'Your name' : `${mentionOf('member', target.id)}’s name`;
  if (reading !== undefined) return respond(interaction, `${whose} is now read aloud as “${plain(reading)}”.`);
  await respond(
    interaction,
    had === undefined
      ? `${whose} has no reading set, so it is read as written. Give one with the reading option.`
      : `${whose} is read as written again (it was read as “${plain(had)}”).`,
  );
};

/** The role or member of the `who` option. */
function whoOption(interaction: Parameters<Handler>[0]): { kind: IgnoreKind; id: string } {
  const option = interaction.options.get('who', true);
  if (option.role) {
    if (option.role.id === interaction.guildId)
      throw invalidInput('@everyone cannot be ignored; /narrate stop stops reading a channel.');
    return { kind: 'role', id: option.role.id };
  }
  if (option.user) return { kind: 'member', id: option.user.id };
  throw invalidInput('Name a role or a member.');
}

const changeIgnore =
  (add: boolean): Handler =>
  async (interaction, app) => {
    assertManagesServer(interaction, 'Changing who is read');
    const { kind, id } = whoOption(interaction);
    await app.narration.settings.change(interaction.guildId, (current) => withIgnored(current, kind, id, add));
    const label = mentionOf(kind, id);
    const text = add
      ? `${label} ${kind === 'role' ? 'members are' : 'is'} no longer read aloud. /narrate ignore remove undoes it.`
      : `${label} ${kind === 'role' ? 'members are' : 'is'} read aloud again.`;
    await respond(interaction, text);
  };

/** `/narrate ignore list`: the roles and members not read, and how many members opted out. */
const list: Handler = async (interaction, app) => {
  const { ignoredRoles, ignoredMembers, optedOut } = await app.narration.settings.get(interaction.guildId);
  const count = ignoredRoles.length + ignoredMembers.length;
  const lines = [
    `**Not read aloud** (${count}/${NARRATION_IGNORE_MAX_ENTRIES})`,
    `Roles: ${ignoredRoles.length === 0 ? 'none' : ignoredRoles.map((id) => mentionOf('role', id)).join(', ')}`,
    `Members: ${ignoredMembers.length === 0 ? 'none' : ignoredMembers.map((id) => mentionOf('member', id)).join(', ')}`,
    `Members who opted out themselves: ${optedOut.length}`,
  ];
  await respond(interaction, lines.join('\n'));
};

/** `/narrate ignore add|remove|list` (Manage Server to change). */
export const ignore = bySubcommand('narrate ignore', { add: changeIgnore(true), remove: changeIgnore(false), list });

const changeOptOut =
  (out: boolean): Handler =>
  async (interaction, app) => {
    const userId = interaction.user.id;
    let already = false;
    await app.narration.settings.change(interaction.guildId, (current) => {
      already = out === current.optedOut.includes(userId);
      return withOptOut(current, userId, out);
    });
    const note = already ? (out ? ' (they already were not)' : ' (you had not opted out)') : '';
    const text = out
      ? `Your messages are not read aloud in this server${note}. /narrate optin undoes it.`
      : `Your messages are read aloud again${note}.`;
    await respond(interaction, text);
  };

/** `/narrate optout`: the member's own messages are not read (nor their joins announced). */
export const optout = changeOptOut(true);
/** `/narrate optin`: undoes `/narrate optout`. */
export const optin = changeOptOut(false);
