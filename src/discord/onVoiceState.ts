import type { Guild, VoiceState } from 'discord.js';
import type { Logger } from '../log.ts';
import type { GuildPlayer } from '../playback/guildPlayer.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import type { App } from './app.ts';
import { missingVoicePermissions } from './voiceChannel.ts';

/**
 * Joins with narration's auto-join when a member arrives in a bound voice channel; leaves a voice
 * channel once no human is left in it, and forgets a guild whose bot was moved out.
 */
export function onVoiceState(before: VoiceState, after: VoiceState, app: App): void {
  if (isArrival(before, after)) void autoJoin(after, app).catch((error: unknown) => app.log.warn({ err: error, guildId: after.guild.id }, 'auto-join failed'));
  const player = app.players.get(after.guild.id);
  if (!player) return;
  const me = after.guild.members.me;
  if (after.id === me?.id && after.channelId === null) {
    app.players.leave(after.guild.id);
    return;
  }
  const channel = after.guild.channels.cache.get(player.sink.channelId);
  if (before.channelId !== player.sink.channelId || !channel?.isVoiceBased()) return;
  const humans = channel.members.filter((member) => !member.user.bot).size;
  if (humans === 0) app.players.leave(after.guild.id);
}

/** A person (not a bot) entered a voice channel other than the server's AFK channel. */
function isArrival(before: VoiceState, after: VoiceState): boolean {
  return after.channelId !== null && after.channelId !== before.channelId && after.member?.user.bot !== true && after.channelId !== after.guild.afkChannelId;
}

/** Joins the channel a member entered when the bot is not in voice and a bound channel is read there with auto-join. */
async function autoJoin(after: VoiceState, app: App): Promise<void> {
  const guild = after.guild;
  const channelId = after.channelId;
  if (channelId === null || app.players.get(guild.id)) return;
  if (!(await app.narration.joinsOnArrival(guild.id, channelId)) || app.players.get(guild.id)) return;
  const player = await joinForNarration(guild, channelId, app.players, app.log);
  if (player) app.log.info({ guildId: guild.id, channelId }, 'auto-joined');
}

/**
 * Joins a voice channel for narration if the bot may speak there; `undefined` when it may not.
 * @remarks Nobody asked, so nobody is told: a missing permission is logged, not replied.
 */
export async function joinForNarration(guild: Guild, channelId: string, players: GuildPlayers, log: Logger): Promise<GuildPlayer | undefined> {
  const channel = guild.channels.cache.get(channelId);
  if (!channel?.isVoiceBased()) return undefined;
  const missing = missingVoicePermissions(channel);
  if (missing.length > 0) {
    log.info({ guildId: guild.id, channelId, missing }, 'auto-join: missing voice permissions');
    return undefined;
  }
  return players.join(guild.id, channelId);
}
