import { type ChatInputCommandInteraction, type Guild, PermissionFlagsBits, type VoiceBasedChannel } from 'discord.js';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { GuildPlayer } from '../playback/guildPlayer.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import type { App } from './app.ts';
import { deferIfSlow } from './reply.ts';

const NEEDED = [
  [PermissionFlagsBits.ViewChannel, 'View Channel'],
  [PermissionFlagsBits.Connect, 'Connect'],
  [PermissionFlagsBits.Speak, 'Speak'],
] as const;

/** What a member needs in a channel to bring the bot there with /join. */
const MEMBER_NEEDS = NEEDED.slice(0, 2);

/** The permissions the bot lacks in a voice channel, by their names in Discord's settings. */
export function missingVoicePermissions(channel: VoiceBasedChannel): string[] {
  const me = channel.guild.members.me;
  const granted = me ? channel.permissionsFor(me) : null;
  return NEEDED.filter(([flag]) => !granted?.has(flag)).map(([, name]) => name);
}

/** Whether the member may act on the bot's voice from anywhere: Move Members or Manage Server. */
export function actsFromAnywhere(interaction: ChatInputCommandInteraction<'cached'>): boolean {
  return interaction.memberPermissions.any([PermissionFlagsBits.MoveMembers, PermissionFlagsBits.ManageGuild]);
}

/**
 * Throws unless the member is in the call the bot speaks in: the bot's voice channel, or when the bot is not in
 * voice, the channel it would join (`wouldJoin`). Move Members or Manage Server may act from anywhere.
 * @remarks The README promises that people outside a call cannot speak into it, stop it or end it.
 */
export function assertInCall(
  interaction: ChatInputCommandInteraction<'cached'>,
  app: App,
  what: string,
  wouldJoin?: string | null,
): void {
  if (actsFromAnywhere(interaction)) return;
  const call = app.players.channelOf(interaction.guildId) ?? wouldJoin ?? null;
  if (call === null || interaction.member.voice.channelId === call) return;
  throw new UserError(
    'forbidden',
    `${what} is for members in the call: join <#${call}> first (Move Members or Manage Server may act from anywhere).`,
  );
}

/** Throws naming what the member lacks to bring the bot into `channel` (View Channel, Connect). */
export function assertMemberMayJoin(interaction: ChatInputCommandInteraction<'cached'>, channel: VoiceBasedChannel) {
  const granted = channel.permissionsFor(interaction.member);
  const missing = MEMBER_NEEDS.filter(([flag]) => !granted.has(flag)).map(([, name]) => name);
  if (missing.length === 0) return;
  const list = `${missing.join(' and ')} permission${missing.length > 1 ? 's' : ''}`;
  throw new UserError('forbidden', `You can’t bring me to ${channel.name}: you’re missing the ${list} there.`);
}

/**
 * Joins `channel` (default: the member's voice channel) after checking the bot may; a slow join defers the answer
 * (public when `publicAnswer`, else only for the member).
 * @throws UserError naming the missing permissions, or asking the member to join a channel first.
 */
export async function joinFor(
  interaction: ChatInputCommandInteraction<'cached'>,
  app: App,
  { channel, publicAnswer = false }: { channel?: VoiceBasedChannel | undefined; publicAnswer?: boolean } = {},
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
  const player = await deferIfSlow(interaction, app.players.join(interaction.guildId, target.id), !publicAnswer);
  return { player, channelId: target.id };
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
