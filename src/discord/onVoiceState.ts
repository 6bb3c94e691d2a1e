import type { VoiceState } from 'discord.js';
import type { App } from './app.ts';

/**
 * Leaves a voice channel once no human is left in it, and forgets a guild whose bot was moved out.
 */
export function onVoiceState(before: VoiceState, after: VoiceState, app: App): void {
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
