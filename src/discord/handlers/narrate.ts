import { type GuildBasedChannel, PermissionFlagsBits } from 'discord.js';
import { invalidInput, UserError } from '../../errors.ts';
import { describeSettings, type NarrationPatch } from '../../narration/settings.ts';
import type { Handler } from '../app.ts';
import { bySubcommand } from '../components.ts';
import { assertManagesServer } from '../permissions.ts';
import { respond } from '../reply.ts';
import { joinFor } from '../voiceChannel.ts';
import { ignore, nickname, optin, optout } from './narratePeople.ts';

type Interaction = Parameters<Handler>[0];

/**
 * `/narrate start [channel]`: reads the channel aloud in the voice channel the bot is in, else the
 * member's (joining it), else whichever one the bot joins later.
 * @remarks The reply is public: everyone in the channel should know their messages are read aloud.
 */
const start: Handler = async (interaction, app) => {
  assertManagesServer(interaction, 'Reading a channel aloud');
  const text = interaction.options.getChannel('channel') ?? interaction.channel;
  if (!text) throw invalidInput('Name the text channel to read with the channel option.');
  assertReadable(text);
  const inVoice = app.players.presence(interaction.guildId);
  const joined =
    inVoice ?? (interaction.member.voice.channel ? await joinFor(interaction, app, { publicAnswer: true }) : undefined);
  const voiceChannelId = joined?.channelId ?? null;
  await app.narration.settings.bind(interaction.guildId, text.id, voiceChannelId);
  app.narration.rebound(text.id);
  refreshStatus(app, interaction.guildId);
  const where = voiceChannelId === null ? 'in whichever voice channel I join (use /join)' : `in <#${voiceChannelId}>`;
  const lines = [`Reading <#${text.id}> aloud ${where}, for members in that voice channel. /narrate stop ends it.`];
  if ((await app.preferences.defaultVoiceId(interaction.guildId)) === undefined) {
    lines.push(
      'There is no server default voice, so only members who picked one with /voice use are read. ' +
        'Set one with /voice default.',
    );
  }
  await respond(interaction, { content: lines.join('\n'), ephemeral: false });
};

/** The bot must see a channel to receive its messages. */
function assertReadable(channel: GuildBasedChannel | NonNullable<Interaction['channel']>): void {
  const me = channel.guild.members.me;
  if (!me || !('permissionsFor' in channel) || !channel.permissionsFor(me).has(PermissionFlagsBits.ViewChannel)) {
    throw new UserError('forbidden', `I can’t see <#${channel.id}>: give me the View Channel permission there first.`);
  }
}

/** `/narrate stop [channel]`: stops reading the channel and drops what it still had queued. */
const stop: Handler = async (interaction, app) => {
  assertManagesServer(interaction, 'Stopping narration');
  const channelId = interaction.options.getChannel('channel')?.id ?? interaction.channelId;
  await app.narration.settings.unbind(interaction.guildId, channelId);
  app.players.get(interaction.guildId)?.drop((u) => u.source === 'narration' && u.reportChannelId === channelId);
  refreshStatus(app, interaction.guildId);
  await respond(interaction, { content: `Stopped reading <#${channelId}> aloud.`, ephemeral: false });
};

/** `/narrate settings [...]`: shows the settings; with options (Manage Server), changes them first. */
const settings: Handler = async (interaction, app) => {
  const patch = settingsPatch(interaction);
  if (Object.keys(patch).length === 0) {
    const current = await app.narration.settings.get(interaction.guildId);
    return respond(interaction, `**Narration settings**\n${describeSettings(current)}`);
  }
  assertManagesServer(interaction, 'Changing narration settings');
  const updated = await app.narration.settings.update(interaction.guildId, patch);
  await respond(interaction, `**Narration settings updated**\n${describeSettings(updated)}`);
};

/** The options given, as a settings patch. */
function settingsPatch(interaction: Interaction): NarrationPatch {
  const { options } = interaction;
  const entries = [
    ['readNames', options.getBoolean('read_names')],
    ['maxChars', options.getInteger('max_chars')],
    ['readBots', options.getBoolean('read_bots')],
    ['autoJoin', options.getBoolean('auto_join')],
    ['characterLines', options.getBoolean('character_lines')],
    ['requireVoice', options.getBoolean('require_voice')],
    ['textInVoice', options.getBoolean('text_in_voice')],
    ['nameSource', options.getString('name_source')],
    ['skipPrefix', options.getString('skip_prefix')],
    ['readSilent', options.getBoolean('read_silent')],
    ['announceJoins', options.getBoolean('announce_joins')],
    ['speed', options.getNumber('speed')],
  ] as const;
  return Object.fromEntries(entries.filter(([, value]) => value !== null)) as NarrationPatch;
}

/** The voice channel status follows what is read (never an error for the member: it logs its own problems). */
function refreshStatus(app: Parameters<Handler>[1], guildId: string): void {
  void app.channelStatus
    .refresh(guildId)
    .catch((error: unknown) => app.log.warn({ err: error, guildId }, 'voice channel status failed'));
}

const subcommands = bySubcommand('narrate', { start, stop, settings, nickname, optout, optin });

/** `/narrate …`: dispatches to the subcommand (or the `ignore` group's). */
export const narrate: Handler = (interaction, app) =>
  interaction.options.getSubcommandGroup(false) === 'ignore' ? ignore(interaction, app) : subcommands(interaction, app);
