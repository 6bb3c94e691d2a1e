import type { Typing } from 'discord.js';
import type { App } from './app.ts';

/**
 * TYPING_START: a member typing in a guild channel has their voice's session pre-warmed when their message
 * would be read (see `src/narration/prewarmOnTyping.ts`). An event callback: logs, never throws.
 */
export function onTypingStart(typing: Typing, app: App): void {
  if (!typing.inGuild()) return;
  const { guild, user } = typing;
  const author = {
    id: user.id,
    name: typing.member?.displayName ?? user.displayName,
    kind: user.bot ? ('bot' as const) : ('member' as const),
    voiceChannelId: guild.voiceStates.cache.get(user.id)?.channelId ?? null,
  };
  void app.prewarm
    .typing({ guildId: guild.id, channelId: typing.channel.id, author })
    .then((outcome) => app.log.debug({ guildId: guild.id, userId: user.id, outcome }, 'typing'))
    .catch((error: unknown) => app.log.warn({ err: error, guildId: guild.id }, 'pre-warm on typing failed'));
}
