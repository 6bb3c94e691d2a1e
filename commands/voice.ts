import {
  ApplicationCommandOptionType,
  InteractionContextType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import {
  DESIGN_LANGUAGES,
  PITCH_RATE_MAX,
  PITCH_RATE_MIN,
  PREVIEW_TEXT_MAX_CHARS,
  PREVIEW_TEXT_MIN_CHARS,
  REGISTRY_NAME_MAX_CHARS,
  SPEECH_RATE_MAX,
  SPEECH_RATE_MIN,
  VOICE_PROMPT_MAX_CHARS,
  VOLUME_MAX,
  VOLUME_MIN,
} from './limits.ts';

const LANGUAGE_CHOICES = Object.entries(DESIGN_LANGUAGES).map(([value, name]) => ({ name, value }));

const voiceName = (description: string) =>
  ({
    type: ApplicationCommandOptionType.String,
    name: 'name',
    description,
    required: true,
    autocomplete: true,
    max_length: REGISTRY_NAME_MAX_CHARS,
  }) as const;

/** A speed option (`speech_rate`, a factor of the voice's own pace); also used by `/narrate settings`. */
export const speedOption = (description: string) =>
  ({
    type: ApplicationCommandOptionType.Number,
    name: 'speed',
    description,
    min_value: SPEECH_RATE_MIN,
    max_value: SPEECH_RATE_MAX,
  }) as const;

/** `/voice …`: design and manage this server's character voices. */
export const voiceCommand = {
  name: 'voice',
  description: 'Design and manage this server’s character voices',
  contexts: [InteractionContextType.Guild],
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'design',
      description: 'Design a new voice from a description (previewed before it is kept)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: 'name',
          description: 'What members will call it, e.g. Captain Reed',
          required: true,
          max_length: REGISTRY_NAME_MAX_CHARS,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'description',
          description: 'The voice in words: age, timbre, pace, mood, accent',
          required: true,
          max_length: VOICE_PROMPT_MAX_CHARS,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'preview_text',
          description: 'What the preview says (default: a line in the chosen language)',
          min_length: PREVIEW_TEXT_MIN_CHARS,
          max_length: PREVIEW_TEXT_MAX_CHARS,
        },
        {
          type: ApplicationCommandOptionType.String,
          name: 'language',
          description: 'The language it speaks (default English)',
          choices: LANGUAGE_CHOICES,
        },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'This server’s voices, newest first' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'info',
      description: 'Details of one voice',
      options: [voiceName('The voice')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'delete',
      description: 'Delete a voice (its creator or Manage Server)',
      options: [voiceName('The voice to delete')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'use',
      description: 'Speak with this voice in /say and narration',
      options: [voiceName('Your voice'), speedOption('Your own speed in it, 0.5–2 (default: the voice’s)')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'tune',
      description: 'Show or set a voice’s speed, pitch and volume (its creator or Manage Server)',
      options: [
        voiceName('The voice'),
        speedOption('Speed, 0.5–2 (1 is its natural pace)'),
        {
          type: ApplicationCommandOptionType.Number,
          name: 'pitch',
          description: 'Pitch, 0.5–2 (1 is its natural pitch)',
          min_value: PITCH_RATE_MIN,
          max_value: PITCH_RATE_MAX,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'volume',
          description: 'Volume, 0–100 (DashScope’s default is 50)',
          min_value: VOLUME_MIN,
          max_value: VOLUME_MAX,
        },
        {
          type: ApplicationCommandOptionType.Boolean,
          name: 'reset',
          description: 'Back to DashScope’s defaults',
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'default',
      description: 'This server’s default voice (Manage Server)',
      options: [voiceName('The default voice')],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'usage',
      description: 'This month’s spend: designs, characters, dollars, budget left (yours; all with Manage Server)',
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'limits',
      description: 'Show this server’s budgets, or lower them (Manage Server)',
      options: [
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'designs_per_month',
          description: 'Voice designs this server may pay for each month',
          min_value: 0,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'chars_per_month',
          description: 'Characters of speech this server may use each month',
          min_value: 0,
        },
        {
          type: ApplicationCommandOptionType.Integer,
          name: 'member_chars_per_day',
          description: 'Characters of speech each member may use each day',
          min_value: 0,
        },
      ],
    },
  ],
} as const satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
