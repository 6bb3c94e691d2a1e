import { PermissionFlagsBits, type ChatInputCommandInteraction, type VoiceBasedChannel } from 'discord.js';
import { UserError } from '../errors.ts';
import type { App } from './app.ts';
import type { GuildPlayer } from '../playback/guildPlayer.ts';

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
export async function joinFor(interaction: ChatInputCommandInteraction<'cached'>, app: App, channel?: VoiceBasedChannel | null): Promise<GuildPlayer> {
  const target = channel ?? interaction.member.voice.channel;
  if (!target) throw new UserError('invalid_input', 'Join a voice channel first (or name one with /join channel).');
  const missing = missingVoicePermissions(target);
  if (missing.length > 0)
    throw new UserError('forbidden', `I can’t speak in ${target.name}: I’m missing the ${missing.join(', ')} permission${missing.length > 1 ? 's' : ''} there.`);
  return app.players.join(interaction.guildId, target.id);
}
