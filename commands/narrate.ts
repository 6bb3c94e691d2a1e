import {
  type APIApplicationCommandChannelOption,
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { NARRATION_MAX_CHARS_MAX, NARRATION_MAX_CHARS_MIN } from './limits.ts';
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

/** `/narrate start|stop|settings`: read a text channel's messages aloud (Manage Server to change). */
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
        speedOption('Reading speed, 0.5–2, for voices and members without their own'),
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
