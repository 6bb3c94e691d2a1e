import {
  ApplicationCommandOptionType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { DICTIONARY_READING_MAX_CHARS, DICTIONARY_WORD_MAX_CHARS } from './limits.ts';

/** `/dictionary add|remove|list`: this server's pronunciation fixes (Manage Server to change). */
export const dictionaryCommand = {
  name: 'dictionary',
  description: 'How words are pronounced when chat is read aloud in this server',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Read a word or phrase differently, e.g. “gg” as “good game” (Manage Server)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'word',
          description: 'The word or phrase as written',
          required: true,
          max_length: DICTIONARY_WORD_MAX_CHARS,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'reading',
          description: 'How to say it',
          required: true,
          max_length: DICTIONARY_READING_MAX_CHARS,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Forget a word’s reading (Manage Server)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'word',
          description: 'The word or phrase',
          required: true,
          autocomplete: true,
          max_length: DICTIONARY_WORD_MAX_CHARS,
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Every word this server reads differently',
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
