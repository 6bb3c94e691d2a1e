import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandChannelOption,
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import {
  NAME_READING_MAX_CHARS,
  NAME_SOURCES,
  NARRATION_MAX_CHARS_MAX,
  NARRATION_MAX_CHARS_MIN,
  SKIP_PREFIX_MAX_CHARS,
} from './limits.ts';
import { speedOption } from './voice.ts';

/** A channel whose messages can be read: text, announcement, or a voice or stage channel's own chat. */
const textChannel = (description: string): APIApplicationCommandChannelOption => ({
  type: ApplicationCommandOptionType.Channel,
  name: 'channel',
  description,
  channel_types: [
    ChannelType.GuildText,
    ChannelType.GuildAnnouncement,
    ChannelType.GuildVoice,
    ChannelType.GuildStageVoice,
  ],
});

const flag = (name: string, description: string) =>
  ({ type: ApplicationCommandOptionType.Boolean, name, description }) as const;

/** A role or member (`/narrate ignore`). */
const who = (description: string): APIApplicationCommandBasicOption => ({
  type: ApplicationCommandOptionType.Mentionable,
  name: 'who',
  description,
  required: true,
});

const subcommand = (
  name: string,
  description: string,
  options: APIApplicationCommandBasicOption[] = [],
): APIApplicationCommandSubcommandOption => ({
  type: ApplicationCommandOptionType.Subcommand,
  name,
  description,
  options,
});

/**
 * `/narrate start|stop|settings|nickname|ignore|optout|optin`: read a text channel's messages aloud
 * (Manage Server to change; a member sets their own name reading and opts themselves out).
 */
export const narrateCommand = {
  name: 'narrate',
  description: 'Read a text channel’s messages aloud in members’ voices',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'start',
      description: 'Read a text channel aloud in the voice channel I am in, or yours (Manage Server)',
      options: [textChannel('The text channel to read (default: this one)')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'stop',
      description: 'Stop reading a text channel aloud (Manage Server)',
      options: [textChannel('The text channel to stop reading (default: this one)')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Show narration settings, or change them (Manage Server)',
      options: [
        flag('read_names', 'Say who is speaking before their message'),
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'max_chars',
          description: 'Longest message read; longer ones end with “and more”',
          min_value: NARRATION_MAX_CHARS_MIN,
          max_value: NARRATION_MAX_CHARS_MAX,
        },
        flag('read_bots', 'Also read bots and webhooks that are not character voices'),
        flag('auto_join', 'Join the bound voice channel when someone joins it or writes'),
        flag('character_lines', 'Read “Name: text” and “[Name] text” in the voice called Name'),
        flag('require_voice', 'Read only members who are in the voice channel (default on)'),
        flag('text_in_voice', 'Read the chat of the voice channel I am in (default on)'),
        {
          type: ApplicationCommandOptionType.String,
          name: 'name_source',
          description: 'Which name is said: server nickname (default), display name or username',
          choices: NAME_SOURCES.map((source) => ({ name: source, value: source })),
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'skip_prefix',
          description: 'Messages starting with this are not read (“none”: read them all)',
          min_length: 1,
          max_length: SKIP_PREFIX_MAX_CHARS,
        },
        flag('read_silent', 'Also read messages sent with @silent (default off)'),
        flag('announce_joins', 'Say “alice joined the call” and “alice left the call” (default off)'),
        speedOption('Reading speed, 0.5–2, for voices and members without their own'),
      ],
    },
    subcommand('nickname', 'How a name is said aloud; without reading, as written again (Manage Server: anyone’s)', [
      {
        type: ApplicationCommandOptionType.String,
        name: 'reading',
        description: 'How to say the name, e.g. “Kay” for K8',
        max_length: NAME_READING_MAX_CHARS,
      },
      { type: ApplicationCommandOptionType.User, name: 'member', description: 'Whose name (default: yours)' },
    ]),
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'ignore',
      description: 'Roles and members whose messages are not read (Manage Server to change)',
      options: [
        subcommand('add', 'Stop reading a role or member (Manage Server)', [who('The role or member')]),
        subcommand('remove', 'Read a role or member again (Manage Server)', [who('The role or member')]),
        subcommand('list', 'Show the roles and members not read'),
      ],
    },
    subcommand('optout', 'Do not read my messages aloud in this server'),
    subcommand('optin', 'Read my messages aloud again'),
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
