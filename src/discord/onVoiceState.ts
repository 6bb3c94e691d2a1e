import type { VoiceState } from 'discord.js';
import type { App } from './app.ts';
import { joinForNarration } from './voiceChannel.ts';

/**
 * A voice-state update: handed, in plain ids, to the guild's presence owner (which follows a move, forgets
 * a disconnect and leaves when no one is left), to narration's auto-join when a member arrives and its
 * join/leave announcements, and, for the bot's own moves, to the voice channel status.
 */
export function onVoiceState(before: VoiceState, after: VoiceState, app: App): void {
  const guild = after.guild;
  const isSelf = after.id === guild.members.me?.id;
  const isBot = after.member?.user.bot ?? before.member?.user.bot ?? false;
  if (isArrival(before, after)) {
    void autoJoin(after, app).catch((error: unknown) =>
      app.log.warn({ err: error, guildId: guild.id }, 'auto-join failed'),
    );
  }
  app.players.voiceStateChanged(guild.id, {
    userId: after.id,
    isSelf,
    isBot,
    before: before.channelId,
    after: after.channelId,
  });
  if (isSelf && before.channelId !== after.channelId) {
    void app.channelStatus
      .refresh(guild.id)
      .catch((error: unknown) => app.log.warn({ err: error, guildId: guild.id }, 'voice channel status failed'));
  }
  if (!isBot && before.channelId !== after.channelId) announce(before, after, app);
}

/** Hands a person's join, leave or move to narration's announcements (`announce_joins`). */
function announce(before: VoiceState, after: VoiceState, app: App): void {
  const member = after.member ?? before.member;
  if (!member) return;
  const change = {
    guildId: after.guild.id,
    userId: member.id,
    names: { nickname: member.nickname, globalName: member.user.globalName, username: member.user.username },
    roleIds: [...member.roles.cache.keys()].filter((id) => id !== after.guild.id),
    before: before.channelId,
    after: after.channelId,
  };
  void app.narration
    .callChanged(change)
    .catch((error: unknown) => app.log.warn({ err: error, guildId: change.guildId }, 'call announcement failed'));
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
