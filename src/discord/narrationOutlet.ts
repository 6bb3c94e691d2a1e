import type { Client } from 'discord.js';
import type { Logger } from '../log.ts';
import type { NarrationOutlet } from '../narration/narrator.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import { postLine } from './reply.ts';
import { joinForNarration } from './voiceChannel.ts';

/** Narration's way to voice and chat, over discord.js and the guilds' players. */
export function discordNarrationOutlet(client: Client, players: GuildPlayers, log: Logger): NarrationOutlet {
  return {
    presence: (guildId) => players.presence(guildId),
    join: async (guildId, channelId) => {
      const guild = client.guilds.cache.get(guildId);
      return guild ? joinForNarration(guild, channelId, players, log) : undefined;
    },
    notify: (channelId, text) => postLine(client, log, channelId, text),
  };
}
