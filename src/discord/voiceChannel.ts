import { type ChatInputCommandInteraction, type Guild, PermissionFlagsBits, type VoiceBasedChannel } from 'discord.js';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { GuildPlayer } from '../playback/guildPlayer.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import type { App } from './app.ts';

const NEEDED = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.Connect, 'Connect'],
  [PermissionFlagsBits.Speak, 'Speak'],
] as const;

/** The permissions the bot lacks in a voice channel, by their names in Discord's settings. */
export function missingVoicePermissions(channel: VoiceBasedChannel): string[] {
  const me = channel.guild.members.me;
  const granted = me ? channel.permissionsFor(me) : null;
  return NEEDED.filter(([flag]) => !granted?.has(flag)).map(([, name]) => name);
}

/**
 * Joins `channel` (default: the member's voice channel) after checking the bot may.
 * @throws UserError naming the missing permissions, or asking the member to join a channel first.
 */
export async function joinFor(
  interaction: ChatInputCommandInteraction<'cached'>,
  app: App,
  channel?: VoiceBasedChannel | null,
): Promise<{ player: GuildPlayer; channelId: string }> {
  const target = channel ?? interaction.member.voice.channel;
  if (!target) throw new UserError('invalid_input', 'Join a voice channel first (or name one with /join channel).');
  const missing = missingVoicePermissions(target);
  if (missing.length > 0)
    throw new UserError(
      'forbidden',
      `I can’t speak in ${target.name}: I’m missing the ${missing.join(', ')} ` +
        `permission${missing.length > 1 ? 's' : ''} there.`,
    );
  return { player: await app.players.join(interaction.guildId, target.id), channelId: target.id };
}

/**
 * Joins a voice channel for narration if the bot may speak there; `undefined` when it may not.
 * @remarks Nobody asked, so nobody is told: a missing permission is logged, not replied.
 */
export async function joinForNarration(
  guild: Guild,
  channelId: string,
  players: GuildPlayers,
  log: Logger,
): Promise<GuildPlayer | undefined> {
  const channel = guild.channels.cache.get(channelId);
  if (!channel?.isVoiceBased()) return undefined;
  const missing = missingVoicePermissions(channel);
  if (missing.length > 0) {
    log.info({ guildId: guild.id, channelId, missing }, 'auto-join: missing voice permissions');
    return undefined;
  }
  return players.join(guild.id, channelId);
}

/** People (not bots) in a voice channel, from the gateway's cache; 0 for an unknown channel. */
export function humansIn(guild: Guild | undefined, channelId: string): number {
  const channel = guild?.channels.cache.get(channelId);
  return channel?.isVoiceBased() ? channel.members.filter((member) => !member.user.bot).size : 0;
}
