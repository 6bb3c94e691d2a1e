import type { VoiceState } from 'discord.js';
import type { App } from './app.ts';
import { joinForNarration } from './voiceChannel.ts';

/**
 * A voice-state update: handed, in plain ids, to the guild's presence owner (which follows a move, forgets
 * a disconnect and leaves when no one is left), and to narration's auto-join when a member arrives.
 */
export function onVoiceState(before: VoiceState, after: VoiceState, app: App): void {
  const guild = after.guild;
  if (isArrival(before, after)) {
    void autoJoin(after, app).catch((error: unknown) =>
      app.log.warn({ err: error, guildId: guild.id }, 'auto-join failed'),
    );
  }
  app.players.voiceStateChanged(guild.id, {
    userId: after.id,
    isSelf: after.id === guild.members.me?.id,
    isBot: after.member?.user.bot ?? before.member?.user.bot ?? false,
    before: before.channelId,
    after: after.channelId,
  });
}

/** A person (not a bot) entered a voice channel other than the server's AFK channel. */
function isArrival(before: VoiceState, after: VoiceState): boolean {
  return (
    after.channelId !== null &&
    after.channelId !== before.channelId &&
    after.member?.user.bot !== true &&
    after.channelId !== after.guild.afkChannelId
  );
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
