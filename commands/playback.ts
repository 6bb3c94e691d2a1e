import {
  ApplicationCommandOptionType,
  ChannelType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { REGISTRY_NAME_MAX_CHARS, SAY_TEXT_MAX_CHARS } from './limits.ts';

/** `/join [channel]`: join a voice channel (default: yours). */
export const joinCommand = {
  name: 'join',
  description: 'Join your voice channel (or the one you name)',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Channel,
      name: 'channel',
      description: 'A voice channel',
      channel_types: [ChannelType.GuildVoice, ChannelType.GuildStageVoice],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** `/leave`. */
export const leaveCommand = {
  name: 'leave',
  description: 'Leave the voice channel',
  contexts: [InteractionContextType.Guild],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** `/say text [voice]`. */
export const sayCommand = {
  name: 'say',
  description: 'Speak text in a character voice',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'text',
      description: 'What to say',
      required: true,
      max_length: SAY_TEXT_MAX_CHARS,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'voice',
      description: 'Which voice (default: yours, then the server’s)',
      autocomplete: true,
      max_length: REGISTRY_NAME_MAX_CHARS,
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** `/skip`: stop the current utterance, go on with the next. */
export const skipCommand = {
  name: 'skip',
  description: 'Skip what is being said now',
  contexts: [InteractionContextType.Guild],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

/** `/stop`: stop speaking and clear the queue. */
export const stopCommand = {
  name: 'stop',
  description: 'Stop speaking and clear the queue',
  contexts: [InteractionContextType.Guild],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
